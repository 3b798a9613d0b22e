"""The public pages' response cache (issue 13): what an anonymous visitor is shown is rendered
once per state of the record and then served from the cache, without a database query.

**Exact, by generation.** Every key carries the record's *generation*, a number in the cache
that every write to a watched app changes: ``post_save``, ``post_delete`` and ``m2m_changed`` of
its models (each app calls ``watch`` in its ``AppConfig.ready``), once when the row is written
and once more when its transaction commits — so a page rendered from the old rows while the
write was in flight is never found under the new number. Writers that bypass the signals
(``QuerySet.update``, ``bulk_create``: the importer, ``generate_registry``) call
``invalidate()`` themselves; those inside a workflow act also save events, which bump it anyway.
A missing generation (a cache flushed or evicted) starts again from a random 48-bit number, so an
old page can never be found again under a reused one.

**Time.** A few things change with the clock alone — a PDD becomes public on its availability
date, a comment form closes when the period ends, before the sweep records it. Entries live
``PAGE_CACHE_SECONDS`` (60 by default, the sweep's own cadence ``DEADLINE_SWEEP_SECONDS``), so
such a page is at most that late; ``PAGE_CACHE_SECONDS=0`` turns the cache off.

**Who is served from it.** Only requests that cannot be personal: ``GET``/``HEAD`` without a
session cookie, a messages cookie or an ``Authorization`` header. Only ``200`` responses that are
not streamed and set no cookie are stored. The language and the ``Accept`` header are part of the
key.

**CSRF.** Every page carries forms (the language switch at least) whose token belongs to the
visitor's own CSRF cookie. The stored body has each token replaced by a hole, filled on the way
out with this visitor's token (``get_token``, which also has the middleware set the cookie).

**Faults.** An unreachable cache server never fails a request: pages are rendered as if there
were no cache, and a write whose generation could not be changed stands (its pages age out within
``PAGE_CACHE_SECONDS``).

**Conditional GET.** Each entry has an ``ETag`` (of the stored body); a matching
``If-None-Match`` is answered ``304`` from the cache alone.

**Compression.** What carries no CSRF token and is not HTML — feeds, calendars, JSON, CSV — is
stored gzipped (a registry calendar of thousands of windows shrinks tenfold) and sent so to
clients that accept it; HTML is not compressed, so that no secret shares a compressed stream
with what a visitor can choose (BREACH).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import logging
import re
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

logger = logging.getLogger(__name__)
GENERATION_KEY = "pagecache:generation"
GZIP_FROM = 1024  # bytes: smaller bodies are sent as they are
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")
HOLE = b"\x1bcsrf\x1b"  # never in a rendered page: escape characters are not valid HTML text
_TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
# A login records the time and nothing any public page shows.
_PRIVATE_ONLY = frozenset({"last_login"})


def enabled() -> bool:
    return settings.PAGE_CACHE_SECONDS > 0


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, secrets.randbits(48), timeout=None)
        value = cache.get(GENERATION_KEY)
    return value


def invalidate() -> None:
    """A new generation now and another when the current transaction commits."""
    _bump()
    transaction.on_commit(_bump)


def _bump() -> None:
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # missing: start afresh (never a number used before)
            cache.add(GENERATION_KEY, secrets.randbits(48), timeout=None)
    except Exception:  # the cache server unreachable: the write stands, pages age out
        logger.warning("page cache: the generation could not be changed", exc_info=True)


def _saved(sender, update_fields=None, raw=False, **kwargs):
    if raw or (update_fields and frozenset(update_fields) <= _PRIVATE_ONLY):
        return
    invalidate()


def _changed(sender, **kwargs):
    invalidate()


def _m2m(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        invalidate()


def watch(app_config) -> None:
    """Every write to this app's models makes a new generation."""
    uid = f"pagecache.{app_config.label}"
    for model in app_config.get_models():
        post_save.connect(_saved, sender=model, dispatch_uid=f"{uid}.{model.__name__}.save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}.{model.__name__}.del")
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(_m2m, sender=through, dispatch_uid=f"{uid}.{through.__name__}")


def remember(name: str, compute):
    """``compute()``, kept for this generation of the record: for what several pages read and
    only a write changes (a section's filter choices, the statistics' aggregates). Computed
    afresh when the cache is off."""
    if not enabled():
        return compute()
    try:
        key = f"memo:{generation()}:{name}"
        value = cache.get(key)
    except Exception:  # the cache server unreachable
        logger.warning("page cache unreachable", exc_info=True)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, timeout=settings.PAGE_CACHE_SECONDS)
        except Exception:
            logger.warning("page cache unreachable", exc_info=True)
    return value


# --- serving --------------------------------------------------------------------------------


def _personal(request: HttpRequest) -> bool:
    cookies = request.COOKIES
    return (
        settings.SESSION_COOKIE_NAME in cookies
        or "messages" in cookies  # django.contrib.messages' CookieStorage
        or "HTTP_AUTHORIZATION" in request.META
    )


def _key(request: HttpRequest, number: int) -> str:
    # The Accept header too: the API answers JSON or its browsable HTML by it.
    what = f"{request.get_full_path()}\n{request.META.get('HTTP_ACCEPT', '')}"
    digest = hashlib.md5(what.encode(), usedforsecurity=False).hexdigest()
    return f"page:{number}:{get_language()}:{digest}"


def _storable(response: HttpResponse) -> bool:
    return response.status_code == 200 and not response.streaming and not response.cookies


def _compressible(headers: dict, body: bytes) -> bool:
    kind = headers.get("Content-Type", "")
    return (
        len(body) >= GZIP_FROM
        and not kind.startswith("text/html")
        and HOLE not in body
        and "Content-Encoding" not in headers
    )


def _entry(response: HttpResponse) -> dict:
    body = _TOKEN.sub(rb"\1" + HOLE + rb"\2", response.content)
    headers = {k: v for k, v in response.headers.items() if k.lower() != "set-cookie"}
    etag = '"' + hashlib.md5(body, usedforsecurity=False).hexdigest() + '"'
    if _compressible(headers, body):
        return {"gzip": gzip.compress(body, mtime=0), "headers": headers, "etag": etag}
    return {"body": body, "headers": headers, "etag": etag}


def _body(request: HttpRequest, entry: dict, response: HttpResponse) -> bytes:
    if "gzip" in entry:
        patch_vary_headers(response, ("Accept-Encoding",))
        if _ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            response.headers["Content-Encoding"] = "gzip"
            return entry["gzip"]
        return gzip.decompress(entry["gzip"])
    body = entry["body"]
    if HOLE in body:
        body = body.replace(HOLE, get_token(request).encode())
    return body


def _serve(request: HttpRequest, entry: dict) -> HttpResponse:
    asked = request.META.get("HTTP_IF_NONE_MATCH", "")
    if entry["etag"] in (tag.strip() for tag in asked.split(",")):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse()
        for name, value in entry["headers"].items():
            response.headers[name] = value
        response.content = _body(request, entry, response)
        response.headers["Content-Length"] = str(len(response.content))
    response.headers["ETag"] = entry["etag"]
    response.headers["X-Page-Cache"] = "hit"
    patch_vary_headers(response, ("Cookie",))
    return response


def public_page(view):
    """Serve ``view``'s anonymous answers from the cache (see the module docstring)."""

    @functools.wraps(view)
    def cached(request: HttpRequest, *args, **kwargs):
        if not enabled() or request.method not in ("GET", "HEAD") or _personal(request):
            return view(request, *args, **kwargs)
        try:
            key = _key(request, generation())
            entry = cache.get(key)
        except Exception:  # the cache server unreachable: answer as if there were none
            logger.warning("page cache unreachable", exc_info=True)
            return view(request, *args, **kwargs)
        if entry is not None:
            return _serve(request, entry)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()  # DRF and template responses: the body is needed now
        if request.method == "GET" and _storable(response):
            entry = _entry(response)
            try:
                cache.set(key, entry, timeout=settings.PAGE_CACHE_SECONDS)
            except Exception:
                logger.warning("page cache unreachable", exc_info=True)
            response.headers["ETag"] = entry["etag"]
            response.headers["X-Page-Cache"] = "miss"
        return response

    return cached
