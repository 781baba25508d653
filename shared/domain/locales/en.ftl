# The words of every mail a customer gets, in English. One message per key:
# `key = text`, `{ $name }` for a value, an indented line continues the text.
# de.ftl must have the same keys with the same values (a test holds them).

greeting = Hello,
greeting-named = Hello { $name },
keep-reference = You can also simply reply to this mail; please keep { $tag } in the subject.

confirmation-subject = { $tag } We received your request: { $subject }
confirmation-received = thank you for contacting us. We received your request and gave it
    the reference { $reference }.
confirmation-answer-by = What happens next: we will answer by { $when }.
confirmation-answer-soon = What happens next: we will answer as soon as we can.
confirmation-follow = Follow your request and add to it on the web
confirmation-your-message = Your message:
confirmation-not-you = If you did not write to us, someone else typed in your address: you can
    ignore this mail.

reply-subject = Re: { $subject } { $tag }
reply-see-all = See the whole conversation or reply on the web
reply-you-wrote = You wrote on { $when }:
reply-we-wrote = We wrote on { $when }:
from-agent = { $name } at { $brand }

solved-subject = { $tag } Is your request solved? { $subject }
solved-ask = we believe your request { $reference } is solved. Please tell us whether it is:
    one click on the page below.
solved-link = Yes, it's solved — or no, I still need help
rate-ask = How did we do?
rate-good = Good, thank you
rate-bad = Not good

reminder-subject = { $tag } Reminder: { $subject }
reminder-text = your request { $reference } is waiting for your answer. If we don't hear from
    you, it will be closed soon; you can reopen it any time by replying.
reminder-link = Answer on the web

links-subject = Your links to your support requests
links-intro = you asked for new links to your requests. The first link opens a page with all
    of them, open and closed; each link after it opens one request. The links sent before
    keep working until they expire.
links-all = All your requests
links-not-you = If you did not ask for these links, you can ignore this mail: only you received it.

status-new = received
status-open = in progress
status-waiting = waiting for you
status-solved = solved
status-closed = closed

# Dates: "Thu 5 Mar 2026, 10:00".
date-time = { $weekday } { $day } { $month } { $year }, { $time }
weekdays = Mon Tue Wed Thu Fri Sat Sun
months = Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec
