"""Rate limit on failed sign-ins, per e-mail address and per client address."""

from flask import current_app

from planner import ratelimit


def _keys(email: str, ip: str | None) -> tuple[str, str]:
    return f"login:email:{email}", f"login:ip:{ip or '-'}"


def is_blocked(email: str, ip: str | None) -> bool:
    config = current_app.config
    window = config["LOGIN_FAILURE_WINDOW_SECONDS"]
    by_email, by_ip = _keys(email, ip)
    return (
        ratelimit.count(by_email, window) >= config["LOGIN_MAX_FAILURES"]
        or ratelimit.count(by_ip, window) >= config["LOGIN_MAX_FAILURES_PER_IP"]
    )


def record_failure(email: str, ip: str | None) -> None:
    window = current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"]
    for key in _keys(email, ip):
        ratelimit.hit(key, window)


def clear(email: str) -> None:
    ratelimit.reset(_keys(email, None)[0])


def window_minutes() -> int:
    return max(1, current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"] // 60)
