from functools import cache


def unread(request):
    """``unread_notifications``: the viewer's unread count, 0 for anonymous.

    A callable, so a page whose template never shows the count costs no query; cached, so a page
    that shows it several times costs one.
    """

    @cache
    def count() -> int:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return 0
        from notifications.models import Notification

        return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

    return {"unread_notifications": count}
