"""The exam-day monitor (administrators): one page of the service's figures, refreshed every few
seconds by polling (htmx) its own address — the figures are readings of counters sampled when asked,
not events a service publishes, so the live streams' push has nothing to carry here; a poll every
5 s costs one request and a scrape of this machine's metrics."""

from django.shortcuts import render

from access.decorators import administrator_required
from monitor import figures

REFRESH_SECONDS = 5


@administrator_required
def monitor(request):
    context = {**figures.everything(), "refresh": REFRESH_SECONDS}
    if request.htmx:
        return render(request, "monitor/partials/figures.html", context)
    return render(request, "monitor/monitor.html", context)
