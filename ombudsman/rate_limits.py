"""Flask-Limiter's per-request hooks, skipped on requests no rate limit can apply to.

Flask-Limiter runs three hooks on every request: before it (find and count the limits of the endpoint), after
it (headers, conditional deductions) and at teardown (reset its request state). Only a few views carry a limit
(`@limiter.limit`: login, password reset, verification, token creation); for every other request the hooks
find nothing, yet cost ~10 % of a light request's CPU (an issued letter's download).

`install` wraps the three hooks. The before-hook is skipped only when nothing could apply: no application,
default, meta, blueprint or fallback limits are configured at all, and the endpoint's view has no decorated
limit, is not marked for limiting and has no hinted limits (the limiter's own bookkeeping, read on every
request, so limits added later still count). The after- and teardown hooks are skipped when the limiter
kept no state for the request, which is when they would do nothing. Every limited request runs the
limiter's own code unchanged.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, current_app, request
from flask.globals import _cv_request
from flask_limiter import Limiter
from flask_limiter.util import get_qualified_name

#: Where Flask-Limiter keeps a request's state (on the request context; `Limiter.context`).
_STATE = "_limiter_request_context"


def install(app: Flask, limiter: Limiter) -> None:
    """Wrap `limiter`'s before-, after- and teardown-request hooks on `app` (after `limiter.init_app(app)`).

    An app with rate limiting turned off (`RATELIMIT_ENABLED = False`: the limiter then installs no hooks)
    is left as it is. Raises RuntimeError when the hooks or the bookkeeping read here are not where this
    Flask-Limiter version keeps them: better a start-up failure than limits silently skipped.
    """
    if not app.config.get("RATELIMIT_ENABLED", True):
        return
    _check_bookkeeping(limiter)
    _wrap(app.before_request_funcs, _hook_of(limiter, "_check_request_limit"), _before(limiter))
    _wrap(app.after_request_funcs, _hook_of(limiter, "_Limiter__inject_headers"), _after)
    _wrap(app.teardown_request_funcs, _hook_of(limiter, "_Limiter__release_context"), _teardown)


def needs_limiter(limiter: Limiter) -> bool:
    """True when a rate limit could apply to the current request (its endpoint's view is limited, or limits
    are configured that apply to every request); False only when the limiter would find none."""
    manager = limiter.limit_manager
    if (
        limiter._meta_limits
        or limiter._in_memory_fallback
        or manager._application_limits
        or manager._default_limits
        or manager._blueprint_limits
    ):
        return True
    endpoint = request.endpoint
    if not endpoint:
        return False  # no view (404 and the like): Flask-Limiter counts no limit on such a request
    view = current_app.view_functions.get(endpoint)
    name = get_qualified_name(view) if view is not None else ""
    return (
        name in manager._decorated_limits
        or name in limiter._marked_for_limiting
        or manager.has_hints(endpoint)
    )


def _before(limiter: Limiter) -> Callable[[Callable], Callable]:
    def wrap(check: Callable) -> Callable:
        def check_request_limit() -> None:
            """Flask-Limiter's check, when a limit could apply (`needs_limiter`)."""
            if needs_limiter(limiter):
                check()

        return check_request_limit

    return wrap


def _limiter_kept_state() -> bool:
    """Whether the limiter kept state on this request (the before-hook or a limited view ran)."""
    ctx = _cv_request.get(None)
    return ctx is not None and hasattr(ctx, _STATE)


def _after(inject_headers: Callable) -> Callable:
    def inject_rate_limit_headers(response: Response) -> Response:
        """Flask-Limiter's headers and conditional deductions; nothing to do when it kept no state."""
        return inject_headers(response) if _limiter_kept_state() else response

    return inject_rate_limit_headers


def _teardown(release_context: Callable) -> Callable:
    def release_rate_limit_state(exc: BaseException | None = None) -> None:
        """Flask-Limiter's reset of its request state, when it kept any."""
        if _limiter_kept_state():
            release_context(exc)

    return release_rate_limit_state


def _check_bookkeeping(limiter: Limiter) -> None:
    manager = limiter.limit_manager
    missing = [
        n for n in ("_meta_limits", "_in_memory_fallback", "_marked_for_limiting") if not hasattr(limiter, n)
    ]
    missing += [
        n
        for n in (
            "_application_limits",
            "_default_limits",
            "_blueprint_limits",
            "_decorated_limits",
            "has_hints",
        )
        if not hasattr(manager, n)
    ]
    if missing:
        raise RuntimeError(
            f"Flask-Limiter no longer keeps {', '.join(missing)}: update ombudsman.rate_limits"
        )


def _hook_of(limiter: Limiter, attribute: str) -> Callable[[Callable], bool]:
    """A test for `limiter`'s hook `Limiter.<attribute>`: a bound method, or (the after-hook) a partial."""
    target = getattr(Limiter, attribute, None)

    def matches(hook: Callable) -> bool:
        if getattr(hook, "func", None) is target and getattr(hook, "args", ())[:1] == (limiter,):
            return True
        return getattr(hook, "__func__", None) is target and getattr(hook, "__self__", None) is limiter

    return matches


def _wrap(funcs: dict, matches: Callable[[Callable], bool], wrapper: Callable[[Callable], Callable]) -> None:
    hooks = funcs.get(None, [])
    found = [i for i, hook in enumerate(hooks) if matches(hook)]
    if len(found) != 1:
        raise RuntimeError(
            "Flask-Limiter's request hooks are not where expected: update ombudsman.rate_limits"
        )
    hooks[found[0]] = wrapper(hooks[found[0]])
