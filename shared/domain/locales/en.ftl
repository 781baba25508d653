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

# The public API's own words (hours, reply times, the links form).
days-full = Monday Tuesday Wednesday Thursday Friday Saturday Sunday
days-range = { $first } to { $last }
business-hour = 1 business hour
business-hours = { $hours } business hours
business-minutes = { $minutes } business minutes
links-requested = If we have requests from this address, we have mailed it a link to all of them.
no-subject = (no subject)

# The help center's pages (web/help, web/assets): the same catalog, read by
# web/assets/i18n.js.
page-language = Language
page-back-home = ← Help center
page-back-topics = ← All topics
page-error = Something went wrong. Please try again.
page-offline = We could not reach the service. Check your connection and try again.
page-link-invalid = This link is not valid or has expired.
page-files-label = Attach files (optional)
page-files-help = Pictures, PDF, text, CSV or ZIP; up to 10 MB each, 5 files.
page-files-too-many = Please choose at most 5 files.
page-file-uploaded = { $name } — uploaded
page-file-not-uploaded = { $name }: could not be uploaded.
page-file-failed = { $name }: the upload failed, please try again.
page-files-wait = Please wait until your files are uploaded.
page-size-bytes = { $size } bytes
page-size-kb = { $size } KB
page-size-mb = { $size } MB
page-switch-loses = Switching the language reloads this page: what you typed or were shown here is lost. Switch anyway?

help-title = Help center
help-heading = How can we help?
help-about = What is your request about?
help-categories-failed = We could not load the categories. Please try again in a moment.
help-when = When we answer
help-hours = { $days }, { $opens }–{ $closes } ({ $zone } time)
help-holidays = Closed on public holidays, next: { $dates }.
help-promise = We answer within { $standard }; premium customers within { $premium }.
help-by-mail = Prefer email?
help-by-mail-text = Write to us directly; your mail becomes a request with its own reference, just like the form.
help-top = Top questions
help-own-page = This answer on its own page
help-already = Already wrote to us?
help-lost = Your confirmation mail has a link to follow your request. Lost it? We mail your
    address one link to all your requests, open and closed.
help-links-email = Your email
help-links-send = Send me my links
help-links-again = You asked several times already. Please check your mailbox, or try again later.

form-title = Contact us
form-page-title = { $category } — Contact us
form-no-topic = This topic does not exist. Please choose one from the list.
form-maybe = Maybe this answers it
form-search = Search our answers
form-found = { $count } possible answer(s) below.
form-found-none = No answer found — please write to us below.
form-still = Still need help? Write to us
form-name = Your name
form-email = Email
form-email-help = We send the confirmation and our answers here.
form-subject = Subject
form-message = How can we help?
form-choose = Choose…
form-trap = Leave this empty
form-send = Send request
form-check-fields = Please check the fields marked below.
form-too-many = You have sent several requests in a short time. Please try again in about { $minutes } minute(s).
form-thanks = Thank you — we have your request
form-reference = Your reference:
form-answer-by = We will answer by { $when } at the latest.
form-write-to = We will write to you at
form-follow-intro = You can also follow your request and reply on its page:
form-follow = Follow your request
form-keep-secret = Keep this link to yourself: anyone who has it can read your request.

track-title = Your request
track-page-title = { $subject } — Your request
track-fresh-link = Get a fresh link by email
track-request = Request
track-status = Status:
track-assigned = · assigned to { $name }
track-verify = We have mailed you a link to this request. Open it to see our answers here: that
    shows the address is yours. Until then this page shows what you sent and where it stands.
track-solved-question = Is your request solved?
track-solved-yes = Yes, it's solved
track-solved-no = No, I still need help
track-closed-note = This request is closed. A message reopens it, and we answer again.
track-solved-note = This request is solved. A message reopens it, and we answer again.
track-merged = This request was merged into { $reference }. We answer there; reply to our latest mail about it.
track-you = You
track-support = Support
track-closed-thanks = Thank you! We have closed your request. Write below if anything else comes up.
track-reopened = We have reopened your request and will get back to you.
track-conversation = Conversation
track-add = Add a message
track-send = Send message
track-added = Your message was added.
track-rate-title = How did we do?
track-rate-legend = Your rating
track-rate-good = Good
track-rate-bad = Not good
track-rate-comment = Anything you want to tell us? (optional)
track-rate-send = Send rating
track-rate-ask = Tell us in one click, and add a comment if you like.
track-rate-choose = Choose good or not good.
track-rated-good = You rated our help good on { $when }. You can change it until { $until }.
track-rated-bad = You rated our help not good on { $when }. You can change it until { $until }.
track-rated-good-final = You rated our help good. Thank you.
track-rated-bad-final = You rated our help not good. Thank you.
track-rate-thanks = Thank you for your rating!

mine-title = Your requests
mine-fresh-links = Get fresh links by email
mine-intro = Every request you sent us from this address, open and closed, newest first. Open
    one to read our answers or write to us.
mine-line = · { $reference } · { $status } · last change { $when }
mine-some-expired = Some links in this page have expired; ask for fresh links to see them.

answer-title = Answer — Help center
answer-page-title = { $question } — Help center
answer-none = There is no such answer. The help center lists the ones we have.
answer-unpublished = This answer is not (or no longer) published. The help center lists the ones we have.
answer-failed = The answer could not be loaded. Please try again in a moment.
answer-helped = Did this help?
answer-yes = Yes
answer-no = No
answer-thanks-yes = Thank you! Glad it helped.
answer-thanks-no = Thank you for telling us. We will improve this answer; you can also write to us below.
answer-not-counted = Your answer could not be counted. Please try again later.
answer-related = Related answers
answer-write = Still need help? Write to us

# Why the form refused a field (next to the field on the page).
label-name = Name
label-subject = Subject
field-required = { $label } is required
field-too-long = { $label } is longer than { $max } characters
field-line = { $label } contains a line break or control character
field-control = contains control characters
field-at-most-chars = must be at most { $max } characters
field-number-long = must be a number of at most { $max } characters
field-number = must be a number
field-between = must be between { $min } and { $max }
field-at-least = must be at least { $min }
field-at-most = must be at most { $max }
field-url = must be a web address starting with https://
field-choice = must be one of: { $options }
field-date = must be a date like 2026-03-31
email-field = Email { $reason }
email-empty = Enter an email address.
email-too-long = This address is too long: an email address has at most 254 characters.
email-missing-at = An email address looks like name@example.com, with one @.
email-local-part = The name before the @ has a character an email address cannot have.
email-domain = The part after the @ is not a domain (like example.com).
description-required = Description is required
description-too-long = Description is longer than { $max } characters
description-control = Description contains control characters
message-empty = Your message is empty
message-too-long = Your message is longer than { $max } characters
message-control = Your message contains control characters
comment-too-long = Your comment is longer than { $max } characters
comment-control = Your comment contains control characters

# Why the tracking page refused something; a file the form would not take.
track-not-awaiting = this request is not waiting for your confirmation
track-not-rateable = only a solved request can be rated, from the link in our mail
track-rating-final = this rating can no longer be changed
track-merged-refused = this request was merged into { $reference }; we answer there. Reply to our latest mail about it, or ask for a fresh link below.
track-thread-full = this conversation has reached { $max } messages; please send a new request and mention { $reference }
page-this-page = (this page)
upload-type = this type of file is not accepted (pictures, PDF, text, CSV or ZIP)
upload-size = the file is empty (or its size was not sent)
upload-too-big = the file is larger than 10 MB
upload-name = is required
track-too-many = You have sent several messages in a short time. Please try again in a while.
page-try-later = Too many requests; please try again later.
