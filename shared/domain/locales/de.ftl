# Die Texte jeder Mail an Kundinnen und Kunden, auf Deutsch. Dieselben
# Schlüssel und Werte wie en.ftl (ein Test prüft es).

greeting = Guten Tag,
greeting-named = Guten Tag { $name },
keep-reference = Sie können auch einfach auf diese Mail antworten; bitte lassen Sie { $tag } im
    Betreff stehen.

confirmation-subject = { $tag } Wir haben Ihre Anfrage erhalten: { $subject }
confirmation-received = vielen Dank für Ihre Nachricht. Wir haben Ihre Anfrage erhalten und ihr
    die Nummer { $reference } gegeben.
confirmation-answer-by = Wie es weitergeht: Wir antworten bis { $when }.
confirmation-answer-soon = Wie es weitergeht: Wir antworten so bald wie möglich.
confirmation-follow = Ihre Anfrage im Web verfolgen und ergänzen
confirmation-your-message = Ihre Nachricht:
confirmation-not-you = Falls Sie uns nicht geschrieben haben, hat jemand anderes Ihre Adresse
    eingegeben: Sie können diese Mail ignorieren.

reply-subject = AW: { $subject } { $tag }
reply-see-all = Das ganze Gespräch ansehen oder im Web antworten
reply-you-wrote = Sie schrieben am { $when }:
reply-we-wrote = Wir schrieben am { $when }:
from-agent = { $name } von { $brand }

solved-subject = { $tag } Ist Ihre Anfrage erledigt? { $subject }
solved-ask = wir glauben, Ihre Anfrage { $reference } ist erledigt. Bitte sagen Sie uns, ob das
    stimmt: ein Klick auf der Seite unten.
solved-link = Ja, erledigt – oder nein, ich brauche noch Hilfe
rate-ask = Wie zufrieden waren Sie mit uns?
rate-good = Zufrieden, danke
rate-bad = Nicht zufrieden

reminder-subject = { $tag } Erinnerung: { $subject }
reminder-text = Ihre Anfrage { $reference } wartet auf Ihre Antwort. Wenn wir nichts von Ihnen
    hören, schließen wir sie bald; Sie können sie jederzeit mit einer Antwort wieder öffnen.
reminder-link = Im Web antworten

links-subject = Ihre Links zu Ihren Anfragen
links-intro = Sie haben neue Links zu Ihren Anfragen angefordert. Der erste Link öffnet eine
    Seite mit allen, offenen und abgeschlossenen; jeder weitere öffnet eine Anfrage. Die
    früher gesendeten Links gelten weiter, bis sie ablaufen.
links-all = Alle Ihre Anfragen
links-not-you = Falls Sie diese Links nicht angefordert haben, können Sie diese Mail ignorieren:
    nur Sie haben sie erhalten.

status-new = eingegangen
status-open = in Bearbeitung
status-waiting = wartet auf Sie
status-solved = erledigt
status-closed = geschlossen

# Daten: "Do., 5. März 2026, 10:00".
date-time = { $weekday }, { $day }. { $month } { $year }, { $time }
weekdays = Mo. Di. Mi. Do. Fr. Sa. So.
months = Jan. Feb. März Apr. Mai Juni Juli Aug. Sep. Okt. Nov. Dez.
