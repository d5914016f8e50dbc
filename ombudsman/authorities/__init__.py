"""The register of public bodies and the rules that route findings to them."""
