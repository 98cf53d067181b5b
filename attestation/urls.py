from django.urls import path

from attestation.views import (
    live,
    session_page,
    settings,
    slot_grading,
    stream_page,
    streams,
    student,
    tickets,
)

app_name = "attestation"
urlpatterns = [
    path("streams/", streams.stream_list, name="stream_list"),
    path("streams/<int:pk>/", stream_page.stream_page, name="stream"),
    path("streams/<int:pk>/mode/", stream_page.stream_mode, name="stream_mode"),
    path("streams/<int:pk>/slots/", stream_page.slot_create, name="slot_create"),
    path("streams/<int:pk>/tickets/", tickets.tickets_page, name="tickets"),
    path("streams/<int:pk>/tickets/count/", tickets.ticket_count, name="ticket_count"),
    path("streams/<int:pk>/tickets/renumber/", tickets.tickets_renumber, name="tickets_renumber"),
    path("streams/<int:pk>/tickets/add/", tickets.ticket_add, name="ticket_add"),
    path("streams/<int:pk>/tickets/<int:ticket_pk>/edit/", tickets.ticket_edit, name="ticket_edit"),
    path("streams/<int:pk>/tickets/<int:ticket_pk>/delete/", tickets.ticket_delete, name="ticket_delete"),
    path("streams/<int:pk>/tickets/copy/", tickets.tickets_copy, name="tickets_copy"),
    path("tickets/<int:ticket_pk>/file/", tickets.ticket_file, name="ticket_file"),
    path("slots/<int:slot_pk>/edit/", stream_page.slot_edit, name="slot_edit"),
    path("slots/<int:slot_pk>/delete/", stream_page.slot_delete, name="slot_delete"),
    path("slots/<int:slot_pk>/notify/", stream_page.slot_notify, name="slot_notify"),
    path("slots/<int:slot_pk>/hand-out/<str:action>/", stream_page.slot_hand_out, name="slot_hand_out"),
    path("slots/<int:slot_pk>/platform/", stream_page.slot_platform, name="slot_platform"),
    path("slots/<int:slot_pk>/grading/", slot_grading.slot_grading, name="slot_grading"),
    path("slots/<int:slot_pk>/events/", live.slot_events, name="slot_events"),  # ASGI: live_asgi.py
    path("sessions/<int:session_pk>/unschedule/", stream_page.session_unschedule, name="session_unschedule"),
    path("sessions/<int:session_pk>/extra-time/", stream_page.session_extra_time, name="session_extra_time"),
    path("sessions/<int:session_pk>/move/", stream_page.session_move, name="session_move"),
    path("settings/", settings.module_settings, name="settings"),
    path("my/", student.my_exams, name="my_exams"),
    path("sessions/<int:pk>/", session_page.session_page, name="session"),
    path("sessions/<int:pk>/choose/", session_page.ticket_choose, name="ticket_choose"),
    path("sessions/<int:pk>/questions/", session_page.questions_open, name="questions_open"),
    path("sessions/<int:pk>/task/", session_page.task_save, name="task_save"),
    path("sessions/<int:pk>/status/", session_page.status, name="session_status"),
    path("sessions/<int:pk>/events/", live.session_events, name="session_events"),  # ASGI: live_asgi.py
    path("sessions/<int:pk>/draft/", session_page.draft_save, name="draft_save"),
    path("sessions/<int:pk>/send/", session_page.answer_send, name="answer_send"),
    path("sessions/<int:pk>/grade/", session_page.grade_set, name="grade_set"),
    path("sessions/<int:pk>/files/", session_page.answer_file_add, name="answer_file_add"),
    path(
        "sessions/<int:pk>/files/<int:file_pk>/delete/",
        session_page.answer_file_delete,
        name="answer_file_delete",
    ),
    path("answer-files/<int:file_pk>/", session_page.answer_file, name="answer_file"),
]
from attestation.urls_grade_sheet import urlpatterns as grade_sheet_urls  # noqa: E402

urlpatterns += grade_sheet_urls
