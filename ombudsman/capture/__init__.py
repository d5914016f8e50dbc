"""On-site capture: a page that keeps inspections, findings and photos on the phone until they are sent."""
