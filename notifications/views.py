"""The notifications inbox (X-10): list, mark one read (and open its link), mark all read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notifications.models import Notification

PAGE_SIZE = 20


def _inbox_url(page=None) -> str:
    url = reverse("notifications:inbox")
    return f"{url}?page={page}" if page and str(page).isdigit() else url


@login_required
def inbox(request):
    """The user's own notifications, newest first; opening the page marks nothing read."""
    page = Paginator(request.user.notifications.all(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def mark_read(request, pk):
    """Mark one of the user's notifications read, then open its link (or go back to the inbox).

    ``stay=1`` in the form returns to the inbox (``page`` kept) instead of following the link; an
    htmx request gets the updated item back, with the header's unread badge swapped out-of-band.
    """
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    if request.htmx:
        return render(request, "notifications/_item_read.html", {"notification": notification})
    link = notification.link
    if (
        link
        and not request.POST.get("stay")
        and url_has_allowed_host_and_scheme(link, {request.get_host()}, request.is_secure())
    ):
        return redirect(link)
    return redirect(_inbox_url(request.POST.get("page")))


@login_required
@require_POST
def mark_all_read(request):
    count = Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if count:
        messages.success(request, _("All messages are marked as read."))
    return redirect(_inbox_url(request.POST.get("page")))
