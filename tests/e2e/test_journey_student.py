"""The student's journey on a phone (390 × 844, touch), as a person taps it (#14; STU-1…STU-4, ANS-1,
ANS-2, TIM-1, X-1, X-9): from the login page, only tapping visible controls and typing into visible
fields — the inbox, My final controls, the exam, a ticket from the board (a second look first),
the questions, the answer, a photo attached as soon as it is chosen, sending (a second look first),
the sent answer with its photo. In English, and in Kazakh chosen with the visible language buttons.

Staff do their part through the services (placing the tickets, sending the questions, handing out a
ticket on a full board). Every page is checked as a phone shows it: no sideways scroll, every control
a finger taps at least 44 × 44 px and on the screen. Screenshots of every step go to
test-artifacts/screenshots/.
"""

import datetime
import io

import pytest
from django.utils import timezone, translation
from PIL import Image
from playwright.sync_api import expect

from attestation.models import ExamSession, ModuleSettings, Slot
from attestation.services import tickets as tickets_service
from core import clock
from tests.attestation.test_tickets import author
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
ANSWER = "A stream page lists the slots; each slot has its students."
LANGUAGE_BUTTON = {"kk": "Қазақ", "ru": "Русский", "en": "English"}

# What a finger can tap, and what must fit on the screen (X-9, WCAG 2.5.5).
PHONE_CHECK = """() => {
  const root = document.documentElement;
  const problems = [];
  if (root.scrollWidth > root.clientWidth) {
    problems.push(`the page scrolls sideways: ${root.scrollWidth} > ${root.clientWidth}`);
  }
  const name = (el) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${
    el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : ""
  } "${(el.textContent || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 30)}"`;
  const tappable = "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], "
    + "[contenteditable=true]";
  for (const el of document.querySelectorAll(tappable)) {
    if (el.classList.contains("skip-link")) continue; // off-screen until focused by a keyboard
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(el).visibility === "hidden") continue; // not shown
    if (box.width < 44 || box.height < 44) {
      problems.push(`${name(el)} is ${Math.round(box.width)}×${Math.round(box.height)} px`);
    }
    if (box.left < -1 || box.right > root.clientWidth + 1) problems.push(`${name(el)} is off the screen`);
  }
  return problems;
}"""


def t(language, text):
    """The text as the page shows it in that language (English tests assert English)."""
    with translation.override(language):
        return translation.gettext(text)


@pytest.fixture
def phone(browser, live_server):
    """``phone()`` → a page in a fresh touch context of a 390 × 844 phone (with or without script)."""
    contexts = []

    def _phone(**options):
        context = browser.new_context(base_url=live_server.url, **PHONE, **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield _phone
    for context in contexts:
        context.close()


def fits_a_phone(page):
    """No sideways scroll; every visible control at least 44 × 44 px and on the screen."""
    problems = page.evaluate(PHONE_CHECK)
    assert not problems, f"On {page.url}:\n" + "\n".join(problems)


def step(page, screenshot, name):
    fits_a_phone(page)
    screenshot(page, name)


def png(tmp_path, name="photo.png"):
    """A small real photo-like PNG (the server checks the content against the extension)."""
    image = Image.new("RGB", (64, 48), (180, 120, 60))
    for x in range(64):
        image.putpixel((x, x % 48), (20, 40, 200))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path = tmp_path / name
    path.write_bytes(buffer.getvalue())
    return path


def self_choice():
    settings = ModuleSettings.objects.get_or_create(kind=ModuleSettings.Kind.INTERMEDIATE)[0]
    settings.distribution_form = ModuleSettings.DistributionForm.SELF_CHOICE
    settings.save()


def running_slot(stream, minutes_left=60):
    """A slot of today that started a minute ago (tickets and questions are handed out on its day)."""
    now = clock.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return Slot.objects.create(
        stream=stream,
        starts_at=max(now - datetime.timedelta(minutes=1), midnight),
        ends_at=now + datetime.timedelta(minutes=minutes_left),
    )


@pytest.fixture
def placed(college):
    """Self-choice: three tickets; the teacher placed them for the student (who is notified)."""
    self_choice()
    stream = author(college, count=3)
    slot = running_slot(stream)
    session = ExamSession.objects.create(stream=stream, student=college.users["student"].student, slot=slot)
    tickets_service.tickets_place(actor=college.users["teacher"], slot=slot, session_ids=[session.pk])
    return session


def open_menu(page, language):
    page.get_by_role("button", name=t(language, "Menu")).tap()


@pytest.mark.req("STU-1", "STU-3", "STU-4", "ANS-1", "ANS-2", "X-1", "X-9")
@pytest.mark.parametrize("language", ["en", "kk", "ru"])
def test_student_journey_on_a_phone(college, placed, phone, guard, screenshot, tmp_path, language):
    session, teacher = placed, college.users["teacher"]
    discipline = session.stream.discipline.name
    page = guard(phone())
    page.goto("/login/")
    step(page, screenshot, f"{language}-01-login")
    login(page, college.users["student"])

    if language != "en":  # the visible language buttons, behind "Menu" on a phone
        open_menu(page, "en")
        step(page, screenshot, f"{language}-02-menu")
        page.get_by_role("button", name=LANGUAGE_BUTTON[language]).tap()
        expect(page.locator("html")).to_have_attribute("lang", language)
    _ = lambda text: t(language, text)  # noqa: E731

    # The inbox: the message the teacher's placing of the tickets sent.
    page.get_by_role("link", name=_("Messages")).tap()
    notification = page.locator(".notification", has_text=discipline)
    expect(notification).to_be_visible()
    step(page, screenshot, f"{language}-03-inbox")
    notification.get_by_role("button", name=_("Open")).tap()

    # My final controls → the exam.
    expect(page.get_by_role("heading", name=_("My final controls"))).to_be_visible()
    when = page.locator("tr", has=page.get_by_role("link", name=discipline)).locator("td.exam-when")
    expect(when).to_contain_text(timezone.localtime(session.slot.starts_at).strftime("%d.%m.%Y %H:%M"))
    step(page, screenshot, f"{language}-04-my-final-controls")
    page.get_by_role("link", name=discipline).tap()

    # The board: a second look before a ticket is taken; "Cancel" takes nothing.
    expect(page.get_by_role("heading", name=_("Choose a ticket"))).to_be_visible()
    expect(page.locator(".tile-ticket.free")).to_have_count(3)
    step(page, screenshot, f"{language}-05-board")
    page.locator(".tile-ticket.free").first.tap()
    dialog = page.get_by_role("dialog", name=_("Take this ticket? You cannot change it."))
    expect(dialog).to_be_visible()
    step(page, screenshot, f"{language}-06-take-this-ticket")
    dialog.get_by_role("button", name=_("Cancel")).tap()
    expect(dialog).to_be_hidden()
    session.refresh_from_db()
    assert session.ticket_id is None
    page.locator(".tile-ticket.free").nth(1).tap()
    dialog.get_by_role("button", name=_("Take the ticket")).tap()
    expect(page.get_by_text(_("You have a ticket."))).to_be_visible()
    session.refresh_from_db()
    assert session.ticket_id and session.ticket_source == "chosen"
    expect(page.locator(".ticket-number")).to_have_text(f"№ {session.ticket.number}")

    # The teacher sends the questions; the student opens them.
    tickets_service.questions_send(actor=teacher, slot=session.slot, session_ids=[session.pk])
    page.get_by_role("button", name=_("Show questions by ticket")).tap()
    expect(page.locator(".questions")).to_contain_text(f"Question {session.ticket.number}")

    # The answer: typed, then a photo chosen — attached at once, with no other button to press.
    editor = page.locator("#answers [contenteditable=true]")
    expect(editor).to_be_visible(timeout=20_000)  # the editor's modules may take a moment on a busy machine
    editor.tap()
    page.keyboard.type(ANSWER)
    step(page, screenshot, f"{language}-07-typed")
    with page.expect_file_chooser() as chooser:
        page.get_by_label(_("Upload file")).tap()
    chooser.value.set_files(str(png(tmp_path)))
    expect(page.locator("#answers .files").get_by_role("link", name="photo.png")).to_be_visible()
    expect(page.locator(".upload-progress")).to_be_hidden()
    assert session.answer_files.count() == 1
    step(page, screenshot, f"{language}-08-photo-attached")

    # Sending: a second look, naming the file that goes with it.
    page.get_by_role("button", name=_("Send answer")).tap()
    dialog = page.get_by_role("dialog", name=_("Send the answer? You cannot change it after sending."))
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("photo.png")
    step(page, screenshot, f"{language}-09-send-the-answer")
    dialog.get_by_role("button", name=_("Send answer")).tap()

    sent = page.locator("#answers")
    expect(sent.locator(".notice-ok")).to_contain_text(
        _("Your answer was sent at %(at)s.").split("%(at)s")[0]
    )
    expect(sent.locator(".rich.answer")).to_contain_text(ANSWER)
    expect(sent.get_by_role("link", name="photo.png")).to_be_visible()
    expect(page.locator("#answers [contenteditable=true]")).to_have_count(0)
    step(page, screenshot, f"{language}-10-sent")
    session.refresh_from_db()
    assert session.answer_sent_at and ANSWER in session.answer and session.answer_files.count() == 1


@pytest.fixture
def ended(college):
    """By tickets; the student opened the questions; the slot ended ten minutes ago, nothing sent."""
    stream = author(college, count=2)
    now = clock.now()
    slot = Slot.objects.create(
        stream=stream,
        starts_at=now - datetime.timedelta(hours=2),
        ends_at=now - datetime.timedelta(minutes=10),
    )
    ticket = stream.tickets.get(number=1)
    return ExamSession.objects.create(
        stream=stream,
        student=college.users["student"].student,
        slot=slot,
        ticket=ticket,
        ticket_source="generated",
        ticket_at=slot.starts_at,
        questions_sent_at=slot.starts_at,
        questions_viewed_at=slot.starts_at + datetime.timedelta(minutes=1),
    )


def open_my_exam(page, session):
    """From the landing page (My final controls) to the exam, by tapping its discipline."""
    expect(page.get_by_role("heading", name="My final controls")).to_be_visible()
    page.get_by_role("link", name=session.stream.discipline.name).tap()
    expect(
        page.get_by_role("heading", name=f"Final control: {session.stream.discipline.name}")
    ).to_be_visible()


@pytest.mark.req("TIM-1", "ANS-2", "X-2", "X-9")
@pytest.mark.parametrize("saved", [True, False], ids=["draft-saved", "nothing-saved"])
def test_opened_after_the_end_the_page_is_closed_and_says_what_the_teacher_sees(
    college, ended, phone, guard, screenshot, saved
):
    """#14.5: at once, server-rendered: time is over, and what the teacher sees; nothing to edit or send."""
    session = ended
    if saved:
        session.draft = f"<p>{ANSWER}</p>"
        session.draft_version = 3
        session.draft_saved_at = session.ends_at - datetime.timedelta(minutes=7)
        session.save()
    page = guard(phone())
    login(page, college.users["student"])
    open_my_exam(page, session)

    over = page.locator(".time-over")
    expect(over.get_by_role("heading", name="Time is over")).to_be_visible()
    ended_at = timezone.localtime(session.ends_at).strftime("%H:%M")
    expect(over).to_contain_text(f"This final control ended at {ended_at}.")
    answers = page.locator("#answers")
    if saved:
        saved_at = timezone.localtime(session.draft_saved_at)
        expect(over).to_contain_text(
            f"Your answer was not sent. The teacher sees your last draft, saved at {saved_at:%H:%M}."
        )
        expect(answers).to_contain_text(f"The last draft, saved at {saved_at:%d.%m.%Y %H:%M:%S}:")
        expect(answers.locator(".rich.answer")).to_have_text(ANSWER)  # read-only
    else:
        expect(over).to_contain_text(
            "Your answer was not sent, and no draft of it was saved: the teacher sees no answer."
        )
        expect(answers).to_contain_text("No draft was saved.")
    # Nothing to type into, attach or send — not even after the page's script has run a while.
    page.wait_for_timeout(1500)
    for gone in (
        page.locator("[contenteditable=true]"),
        page.locator("input[type=file]"),
        page.get_by_role("button", name="Send answer"),
        page.get_by_role("button", name="Upload"),
        page.locator("#exam-clock"),
    ):
        expect(gone).to_have_count(0)
    step(page, screenshot, "after-the-end")


@pytest.fixture
def full_board(college):
    """Self-choice with one ticket for two placed students; the other student has already taken it."""
    self_choice()
    stream = author(college, count=1)
    slot = running_slot(stream)
    sessions = [
        ExamSession.objects.create(stream=stream, student=college.users[who].student, slot=slot)
        for who in ("student", "other_student")
    ]
    tickets_service.tickets_place(
        actor=college.users["teacher"], slot=slot, session_ids=[s.pk for s in sessions]
    )
    mine, theirs = sessions
    ticket = stream.tickets.get()
    tickets_service.ticket_choose(
        actor=college.users["other_student"],
        session=theirs,
        tile=tickets_service.tile_token(theirs, ticket.pk),
    )
    return mine


@pytest.mark.req("STU-3", "GEN-1", "X-9")
def test_a_full_board_says_what_happens_next_and_picks_up_the_assigned_ticket(
    college, full_board, phone, guard, screenshot
):
    """#14.11: every tile grey: the page says the teacher will assign a ticket, then shows it by itself."""
    session = full_board
    page = guard(phone())
    login(page, college.users["student"])
    open_my_exam(page, session)
    expect(page.get_by_role("heading", name="Choose a ticket")).to_be_visible()
    expect(page.locator(".tile-ticket.taken")).to_have_count(1)
    expect(page.locator(".tile-ticket.free")).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text="All tickets are taken.")).to_have_text(
        "All tickets are taken. Your teacher will assign you a ticket; this page will show it."
    )
    step(page, screenshot, "full-board")

    # The teacher hands out a ticket at random (GEN-1); the page shows it without a tap.
    tickets_service.tickets_generate(
        actor=college.users["teacher"], slot=session.slot, session_ids=[session.pk]
    )
    expect(page.locator(".ticket-number")).to_have_text("№ 1", timeout=15_000)
    expect(page.get_by_role("heading", name="Choose a ticket")).to_have_count(0)
    expect(page.get_by_text("The teacher has not sent the questions yet.")).to_be_visible()
    step(page, screenshot, "ticket-assigned")
    tickets_service.questions_send(
        actor=college.users["teacher"], slot=session.slot, session_ids=[session.pk]
    )
    expect(page.get_by_role("button", name="Show questions by ticket")).to_be_visible(timeout=15_000)
