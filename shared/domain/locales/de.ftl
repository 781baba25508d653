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
