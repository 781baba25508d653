# Die Texte jeder Mail an Kundinnen und Kunden, auf Deutsch. Dieselben
# Schlüssel und Werte wie en.ftl (ein Test prüft es).

greeting = Guten Tag,
greeting-named = Guten Tag { $name },
keep-reference = Sie können auch einfach auf diese E-Mail antworten; bitte lassen Sie { $tag } im
    Betreff stehen.

confirmation-subject = { $tag } Wir haben Ihre Anfrage erhalten: { $subject }
confirmation-received = vielen Dank für Ihre Nachricht. Wir haben Ihre Anfrage erhalten; sie hat
    die Vorgangsnummer { $reference }.
confirmation-answer-by = Wie es weitergeht: Wir antworten Ihnen spätestens bis { $when }.
confirmation-answer-soon = Wie es weitergeht: Wir antworten Ihnen so bald wie möglich.
confirmation-follow = Ihre Anfrage online verfolgen und ergänzen
confirmation-your-message = Ihre Nachricht:
confirmation-not-you = Falls Sie uns nicht geschrieben haben, hat jemand anderes Ihre Adresse
    eingegeben: Sie können diese E-Mail ignorieren.

reply-subject = AW: { $subject } { $tag }
reply-see-all = Das ganze Gespräch ansehen oder online antworten
reply-you-wrote = Sie schrieben am { $when }:
reply-we-wrote = Wir schrieben am { $when }:
from-agent = { $name } von { $brand }

solved-subject = { $tag } Ist Ihre Anfrage erledigt? { $subject }
solved-ask = wir gehen davon aus, dass Ihre Anfrage { $reference } erledigt ist. Bitte sagen Sie
    uns mit einem Klick auf der unten verlinkten Seite, ob das stimmt.
solved-link = Ja, erledigt – oder nein, ich brauche noch Hilfe
rate-ask = Wie zufrieden waren Sie mit uns?
rate-good = Zufrieden, danke
rate-bad = Nicht zufrieden

reminder-subject = { $tag } Erinnerung: { $subject }
reminder-text = Ihre Anfrage { $reference } wartet auf Ihre Antwort. Wenn wir nichts von Ihnen
    hören, schließen wir sie bald; Sie können sie jederzeit mit einer Antwort wieder öffnen.
reminder-link = Online antworten

links-subject = Ihre Links zu Ihren Anfragen
links-intro = Sie haben neue Links zu Ihren Anfragen angefordert. Der erste Link öffnet eine
    Seite mit all Ihren Anfragen, offenen wie geschlossenen; jeder weitere Link öffnet eine
    einzelne Anfrage. Bereits gesendete Links bleiben gültig, bis sie ablaufen.
links-all = Alle Ihre Anfragen
links-not-you = Falls Sie diese Links nicht angefordert haben, können Sie diese E-Mail
    ignorieren: nur Sie haben sie erhalten.

status-new = eingegangen
status-open = in Bearbeitung
status-waiting = wartet auf Sie
status-solved = erledigt
status-closed = geschlossen

# Daten: "Do., 5. März 2026, 10:00 Uhr".
date-time = { $weekday }, { $day }. { $month } { $year }, { $time } Uhr
weekdays = Mo. Di. Mi. Do. Fr. Sa. So.
months = Jan. Feb. März Apr. Mai Juni Juli Aug. Sep. Okt. Nov. Dez.

# Die eigenen Worte der öffentlichen API (Zeiten, Antwortfristen, Links-Formular).
days-full = Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag
days-range = { $first } bis { $last }
business-hour = 1 Stunde in unseren Geschäftszeiten
business-hours = { $hours } Stunden in unseren Geschäftszeiten
business-minutes = { $minutes } Minuten in unseren Geschäftszeiten
links-requested = Falls wir Anfragen von dieser Adresse haben, haben wir ihr einen Link zu allen geschickt.
no-subject = (kein Betreff)

# Die Seiten des Hilfe-Centers (web/help, web/assets): derselbe Katalog, gelesen
# von web/assets/i18n.js.
page-language = Sprache
page-back-home = ← Hilfe-Center
page-back-topics = ← Alle Themen
page-error = Etwas ist schiefgegangen. Bitte versuchen Sie es noch einmal.
page-offline = Wir konnten den Dienst nicht erreichen. Prüfen Sie Ihre Verbindung und versuchen Sie es noch einmal.
page-link-invalid = Dieser Link ist ungültig oder abgelaufen.
page-files-label = Dateien anhängen (freiwillig)
page-files-help = Bilder, PDF, Text, CSV oder ZIP; bis zu 10 MB je Datei, 5 Dateien.
page-files-too-many = Bitte wählen Sie höchstens 5 Dateien.
page-file-uploaded = { $name } – hochgeladen
page-file-not-uploaded = { $name }: konnte nicht hochgeladen werden.
page-file-failed = { $name }: Das Hochladen ist fehlgeschlagen, bitte versuchen Sie es noch einmal.
page-files-wait = Bitte warten Sie, bis Ihre Dateien hochgeladen sind.
page-size-bytes = { $size } Bytes
page-size-kb = { $size } KB
page-size-mb = { $size } MB
page-switch-loses = Ein Sprachwechsel lädt diese Seite neu: Was Sie hier eingegeben haben oder sehen, geht verloren. Trotzdem wechseln?

help-title = Hilfe-Center
help-heading = Wie können wir helfen?
help-about = Worum geht es bei Ihrer Anfrage?
help-categories-failed = Wir konnten die Themen nicht laden. Bitte versuchen Sie es gleich noch einmal.
help-when = Wann wir antworten
help-hours = { $days }, { $opens }–{ $closes } Uhr (Zeitzone { $zone })
help-holidays = An Feiertagen geschlossen, die nächsten: { $dates }.
help-promise = Wir antworten innerhalb von { $standard }, Premium-Kunden innerhalb von { $premium }.
help-by-mail = Lieber per E-Mail?
help-by-mail-text = Schreiben Sie uns direkt; Ihre E-Mail wird eine Anfrage mit eigener Vorgangsnummer, genau wie über das Formular.
help-top = Häufige Fragen
help-own-page = Diese Antwort auf einer eigenen Seite
help-already = Haben Sie uns schon geschrieben?
help-lost = Ihre Bestätigungs-E-Mail enthält einen Link, mit dem Sie Ihre Anfrage verfolgen. Verloren?
    Wir schicken Ihrer Adresse einen Link zu all Ihren Anfragen, offenen wie geschlossenen.
help-links-email = Ihre E-Mail-Adresse
help-links-send = Meine Links schicken
help-links-again = Sie haben schon mehrmals gefragt. Bitte sehen Sie in Ihrem Postfach nach oder versuchen Sie es später noch einmal.

form-title = Kontakt
form-page-title = { $category } – Kontakt
form-no-topic = Dieses Thema gibt es nicht. Bitte wählen Sie eines aus der Liste.
form-maybe = Vielleicht hilft Ihnen das schon
form-search = Unsere Antworten durchsuchen
form-found = { $count } mögliche Antwort(en) unten.
form-found-none = Keine Antwort gefunden – bitte schreiben Sie uns unten.
form-still = Brauchen Sie noch Hilfe? Schreiben Sie uns
form-name = Ihr Name
form-email = E-Mail
form-email-help = Hierhin schicken wir die Bestätigung und unsere Antworten.
form-subject = Betreff
form-message = Wie können wir helfen?
form-choose = Bitte wählen…
form-trap = Dieses Feld leer lassen
form-send = Anfrage senden
form-check-fields = Bitte prüfen Sie die markierten Felder.
form-too-many = Sie haben in kurzer Zeit mehrere Anfragen gesendet. Bitte versuchen Sie es in etwa { $minutes } Minute(n) noch einmal.
form-thanks = Vielen Dank – wir haben Ihre Anfrage erhalten
form-reference = Ihre Vorgangsnummer:
form-answer-by = Wir antworten Ihnen spätestens bis { $when }.
form-write-to = Wir schreiben Ihnen an
form-follow-intro = Sie können Ihre Anfrage auch auf ihrer eigenen Seite verfolgen und dort antworten:
form-follow = Ihre Anfrage verfolgen
form-keep-secret = Behalten Sie diesen Link für sich: Wer ihn hat, kann Ihre Anfrage lesen.

track-title = Ihre Anfrage
track-page-title = { $subject } – Ihre Anfrage
track-fresh-link = Einen neuen Link per E-Mail anfordern
track-request = Anfrage
track-status = Stand:
track-assigned = · bearbeitet von { $name }
track-verify = Wir haben Ihnen einen Link zu dieser Anfrage geschickt. Öffnen Sie ihn, um hier unsere
    Antworten zu sehen: Das zeigt, dass die Adresse Ihnen gehört. Bis dahin zeigt diese Seite, was
    Sie geschickt haben und wie es steht.
track-solved-question = Ist Ihre Anfrage erledigt?
track-solved-yes = Ja, erledigt
track-solved-no = Nein, ich brauche noch Hilfe
track-closed-note = Diese Anfrage ist geschlossen. Eine Nachricht öffnet sie wieder, und wir antworten erneut.
track-solved-note = Diese Anfrage ist erledigt. Eine Nachricht öffnet sie wieder, und wir antworten erneut.
track-merged = Diese Anfrage wurde mit { $reference } zusammengeführt. Wir antworten dort; antworten Sie auf unsere letzte E-Mail dazu.
track-you = Sie
track-support = Support
track-closed-thanks = Vielen Dank! Wir haben Ihre Anfrage geschlossen. Schreiben Sie unten, falls noch etwas ist.
track-reopened = Wir haben Ihre Anfrage wieder geöffnet und melden uns bei Ihnen.
track-conversation = Verlauf
track-add = Nachricht hinzufügen
track-send = Nachricht senden
track-added = Ihre Nachricht wurde hinzugefügt.
track-rate-title = Wie zufrieden waren Sie mit uns?
track-rate-legend = Ihre Bewertung
track-rate-good = Zufrieden
track-rate-bad = Nicht zufrieden
track-rate-comment = Möchten Sie uns noch etwas sagen? (freiwillig)
track-rate-send = Bewertung senden
track-rate-ask = Sagen Sie es uns mit einem Klick, gern auch mit einem Kommentar.
track-rate-choose = Bitte wählen Sie „Zufrieden“ oder „Nicht zufrieden“.
track-rated-good = Sie haben uns am { $when } mit „Zufrieden“ bewertet. Sie können das bis { $until } ändern.
track-rated-bad = Sie haben uns am { $when } mit „Nicht zufrieden“ bewertet. Sie können das bis { $until } ändern.
track-rated-good-final = Sie haben uns mit „Zufrieden“ bewertet. Vielen Dank.
track-rated-bad-final = Sie haben uns mit „Nicht zufrieden“ bewertet. Vielen Dank.
track-rate-thanks = Vielen Dank für Ihre Bewertung!

mine-title = Ihre Anfragen
mine-fresh-links = Neue Links per E-Mail anfordern
mine-intro = Alle Anfragen, die Sie uns von dieser Adresse geschickt haben, offene wie geschlossene,
    die neueste zuerst. Öffnen Sie eine, um unsere Antworten zu lesen oder uns zu schreiben.
mine-line = · { $reference } · { $status } · zuletzt geändert am { $when }
mine-some-expired = Einige Links dieser Seite sind abgelaufen; fordern Sie neue Links an, um sie zu sehen.

answer-title = Antwort – Hilfe-Center
answer-page-title = { $question } – Hilfe-Center
answer-none = Diese Antwort gibt es nicht. Das Hilfe-Center zeigt alle, die wir haben.
answer-unpublished = Diese Antwort ist nicht (mehr) veröffentlicht. Das Hilfe-Center zeigt alle, die wir haben.
answer-failed = Die Antwort konnte nicht geladen werden. Bitte versuchen Sie es gleich noch einmal.
answer-helped = Hat Ihnen das geholfen?
answer-yes = Ja
answer-no = Nein
answer-thanks-yes = Vielen Dank! Schön, dass es geholfen hat.
answer-thanks-no = Danke für Ihre Rückmeldung. Wir verbessern diese Antwort; Sie können uns auch unten schreiben.
answer-not-counted = Ihre Antwort konnte nicht gezählt werden. Bitte versuchen Sie es später noch einmal.
answer-related = Ähnliche Antworten
answer-write = Brauchen Sie noch Hilfe? Schreiben Sie uns

# Warum das Formular ein Feld nicht annahm (neben dem Feld auf der Seite).
label-name = Name
label-subject = Betreff
field-required = { $label }: Bitte ausfüllen
field-too-long = { $label }: höchstens { $max } Zeichen
field-line = { $label }: bitte ohne Zeilenumbruch oder Steuerzeichen
field-control = enthält Steuerzeichen
field-at-most-chars = höchstens { $max } Zeichen
field-number-long = bitte eine Zahl mit höchstens { $max } Zeichen
field-number = bitte eine Zahl
field-between = muss zwischen { $min } und { $max } liegen
field-at-least = muss mindestens { $min } sein
field-at-most = darf höchstens { $max } sein
field-url = bitte eine Webadresse, die mit https:// beginnt
field-choice = bitte eines davon: { $options }
field-date = bitte ein Datum wie 2026-03-31
email-field = E-Mail: { $reason }
email-empty = Bitte geben Sie eine E-Mail-Adresse ein.
email-too-long = Diese Adresse ist zu lang: Eine E-Mail-Adresse hat höchstens 254 Zeichen.
email-missing-at = Eine E-Mail-Adresse sieht aus wie name@example.com, mit einem @.
email-local-part = Der Name vor dem @ enthält ein Zeichen, das eine E-Mail-Adresse nicht haben kann.
email-domain = Der Teil nach dem @ ist keine Domain (wie example.com).
description-required = Nachricht: Bitte ausfüllen
description-too-long = Nachricht: höchstens { $max } Zeichen
description-control = Nachricht: bitte ohne Steuerzeichen
message-empty = Ihre Nachricht ist leer
message-too-long = Ihre Nachricht hat mehr als { $max } Zeichen
message-control = Ihre Nachricht enthält Steuerzeichen
comment-too-long = Ihr Kommentar hat mehr als { $max } Zeichen
comment-control = Ihr Kommentar enthält Steuerzeichen

# Warum die Seite einer Anfrage etwas ablehnte; eine Datei, die das Formular nicht annimmt.
track-not-awaiting = Diese Anfrage wartet nicht auf Ihre Bestätigung.
track-not-rateable = Nur eine erledigte Anfrage kann bewertet werden, über den Link in unserer E-Mail.
track-rating-final = Diese Bewertung kann nicht mehr geändert werden.
track-merged-refused = Diese Anfrage wurde mit { $reference } zusammengeführt; wir antworten dort. Antworten Sie auf unsere letzte E-Mail dazu, oder fordern Sie unten einen neuen Link an.
track-thread-full = Dieses Gespräch hat { $max } Nachrichten erreicht; bitte senden Sie eine neue Anfrage und nennen Sie { $reference }.
page-this-page = (diese Seite)
upload-type = Diese Art Datei nehmen wir nicht an (Bilder, PDF, Text, CSV oder ZIP).
upload-size = Die Datei ist leer (oder ihre Größe fehlt).
upload-too-big = Die Datei ist größer als 10 MB.
upload-name = fehlt
track-too-many = Sie haben in kurzer Zeit mehrere Nachrichten gesendet. Bitte versuchen Sie es später noch einmal.
page-try-later = Zu viele Anfragen; bitte versuchen Sie es später noch einmal.
