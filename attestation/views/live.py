"""The live streams on the development server (#15): the same :class:`attestation.live.LiveStream` as
the ASGI workers serve (attestation/live_asgi.py), carried by a generator — a thread per open page,
which the development server has to spare. Production WSGI workers answer 503 instead
(``LIVE_STREAMS_ON_WSGI`` off): a stream would hold a sync worker for the whole exam, and the page
polls when its stream cannot open."""

import queue
import time

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse

from attestation import live, live_logins


def _stream(request, opened):
    if opened is None:
        raise Http404
    live_logins.identify(opened, session_key=request.session.session_key or "", user_id=request.user.pk)
    stream = live.LiveStream(opened)
    inbox = stream.attach().inbox

    def events():
        try:
            live_logins.register(opened)
            yield stream.first()
            while not stream.bye:  # a goodbye (the login ended, or a newer stream) ends the response
                try:
                    item = inbox.get(timeout=stream.wait())
                except queue.Empty:
                    chunk = stream.due()
                else:
                    if item is None:  # the hub lost Redis: end; the browser reconnects
                        return
                    chunk = stream.event(item)
                if stream.presence_due():
                    chunk += stream.presence()
                if chunk:
                    yield chunk
        finally:  # the server closes the generator when the browser is gone (at the next write)
            stream.detach()
            live_logins.unregister(opened)

    response = StreamingHttpResponse(events())
    for name, value in live.HEADERS.items():
        response[name] = value
    return response


def _unavailable():
    if not settings.LIVE_STREAMS_ON_WSGI:
        return True
    hub = live.hub()
    for _ in range(20):  # a process that has just started connects to Redis within a moment
        if hub.healthy:
            return False
        hub.start()
        time.sleep(0.1)
    return True


def _serve(request, opener, pk):
    """The same people as the pages (404 to anyone else), whether or not this server streams."""
    if _unavailable():
        if opener(request.user, pk, check_only=True) is None:
            raise Http404
        return HttpResponse(status=503)  # the page polls instead
    return _stream(request, opener(request.user, pk))


@login_required
def session_events(request, pk):
    return _serve(request, live.open_student, pk)


@login_required
def slot_events(request, slot_pk):
    return _serve(request, live.open_staff, slot_pk)
