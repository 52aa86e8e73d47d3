"""The default scripts and forbidden phrases of the call-center document, in English, Filipino and Chinese.

English follows the document ("Introduction and Greetings", the silent-call protocol, low volume,
noise, dialects and the phrases agents must not say); Filipino (fil) and Simplified Chinese
(zh-hans) say the same in the register a contact center uses ("po" in Filipino, "您" in Chinese).
The document's "please speak Mandarin" is the house language: English in the English scripts,
Filipino or English in the Filipino ones, Mandarin in the Chinese ones.
"""

from django.db import migrations

# (kind, step, text, wait_seconds)
SCRIPTS = {
    "en": [
        (
            "greeting",
            1,
            "{day_greeting}, {salutation} {surname}! Welcome to {company} customer service. "
            "This is {agent_first_name}, happy to serve you. How may I help you?",
            None,
        ),
        (
            "closing",
            1,
            "Thank you for contacting {company}, {salutation} {surname}. Have a nice day, goodbye!",
            None,
        ),
        ("silent_call", 1, "Hello! What can I do for you?", 5),
        ("silent_call", 2, "Hello, what can I do for you?", 5),
        ("silent_call", 3, "Sorry, there is no sound on your phone. Please call again. Goodbye!", 5),
        ("low_volume", 1, "Sorry, your voice is too low. Please pick up the handset to speak.", 5),
        ("low_volume", 2, "I'm sorry! Please speak a little louder, okay?", 5),
        (
            "low_volume",
            3,
            "Sorry! The sound from your phone is too faint. Please call again from a different phone. "
            "Goodbye!",
            5,
        ),
        (
            "noise",
            1,
            "Sorry, there is too much noise on your line to hear you. Please call again. Thank you, goodbye!",
            5,
        ),
        ("foreign_language", 1, "I'm sorry, could you please speak English? Thank you!", None),
        (
            "foreign_language",
            2,
            "Sorry, could you please ask someone who speaks English to come to the phone? Thank you!",
            None,
        ),
        ("transfer", 1, "Please hold while I transfer you to a colleague who speaks your language. Thank you!", None),
        ("hold", 1, "May I put you on hold for a moment while I check that for you?", None),
        ("agent_inaudible", 1, "I'm sorry! May I help you?", None),
    ],
    "fil": [
        (
            "greeting",
            1,
            "{day_greeting}, {salutation} {surname}! Maligayang pagdating sa customer service ng {company}. "
            "Ako po si {agent_first_name}, ikinagagalak ko pong kayo ay paglingkuran. "
            "Paano ko po kayo matutulungan?",
            None,
        ),
        (
            "closing",
            1,
            "Maraming salamat po sa pakikipag-ugnayan sa {company}, {salutation} {surname}. "
            "Magandang araw po, paalam!",
            None,
        ),
        ("silent_call", 1, "Hello po! Ano po ang maitutulong ko sa inyo?", 5),
        ("silent_call", 2, "Hello po, ano po ang maitutulong ko sa inyo?", 5),
        (
            "silent_call",
            3,
            "Paumanhin po, wala po kaming naririnig sa linya ninyo. Pakitawagan po ulit kami. Paalam po!",
            5,
        ),
        (
            "low_volume",
            1,
            "Paumanhin po, mahina po ang inyong boses. Pakiangat po ang handset at doon po magsalita.",
            5,
        ),
        ("low_volume", 2, "Paumanhin po! Maaari po bang lakasan ninyo nang kaunti ang inyong boses?", 5),
        (
            "low_volume",
            3,
            "Paumanhin po! Masyado pong mahina ang tunog ng inyong telepono. "
            "Pakitawagan po ulit kami gamit ang ibang telepono. Paalam po!",
            5,
        ),
        (
            "noise",
            1,
            "Paumanhin po, masyado pong maingay sa linya ninyo kaya hindi po namin kayo marinig. "
            "Pakitawagan po ulit kami. Salamat po, paalam!",
            5,
        ),
        (
            "foreign_language",
            1,
            "Paumanhin po, maaari po ba kayong magsalita sa Filipino o Ingles? Salamat po!",
            None,
        ),
        (
            "foreign_language",
            2,
            "Paumanhin po, maaari po bang tawagin ninyo ang isang taong marunong mag-Filipino o mag-Ingles "
            "para makausap namin? Salamat po!",
            None,
        ),
        (
            "transfer",
            1,
            "Sandali lang po, ililipat ko po kayo sa kasamahan naming nakapagsasalita ng inyong wika. "
            "Salamat po!",
            None,
        ),
        ("hold", 1, "Maaari ko po ba kayong pahintayin sandali habang tinitingnan ko po ito?", None),
        ("agent_inaudible", 1, "Paumanhin po! Ano po ang maitutulong ko sa inyo?", None),
    ],
    "zh-hans": [
        (
            "greeting",
            1,
            "{surname}{salutation}，{day_greeting}！欢迎致电{company}客服热线，我是客服代表{agent_first_name}，"
            "很高兴为您服务，请问有什么可以帮您？",
            None,
        ),
        ("closing", 1, "感谢您致电{company}，{surname}{salutation}，祝您生活愉快，再见！", None),
        ("silent_call", 1, "您好！请问有什么可以帮您？", 5),
        ("silent_call", 2, "您好，请问有什么可以帮您？", 5),
        ("silent_call", 3, "对不起，您的电话没有声音，请您重新拨打，再见！", 5),
        ("low_volume", 1, "对不起，您的声音太小了，请您拿起话筒讲话。", 5),
        ("low_volume", 2, "对不起！请您说话大声一点，好吗？", 5),
        ("low_volume", 3, "对不起！您的电话声音太小，请您换一部电话再打过来，好吗？再见！", 5),
        ("noise", 1, "对不起，您的电话杂音太大，听不清楚，请您重新拨打，谢谢，再见！", 5),
        ("foreign_language", 1, "对不起，请您讲普通话，谢谢！", None),
        ("foreign_language", 2, "对不起，请您找一位会讲普通话的人来接听电话，谢谢！", None),
        ("transfer", 1, "请您稍候，我为您转接一位能用您的语言交流的同事，谢谢！", None),
        ("hold", 1, "请您稍等，我为您查询一下，好吗？", None),
        ("agent_inaudible", 1, "对不起！请问有什么可以帮您？", None),
    ],
}

# (phrase, alternative, note)
PHRASES = {
    "en": [
        ("Hey, talk!", "Hello, may I help you?", "Silent call: say the prompt, wait 5 seconds, say it again."),
        (
            "I'll hang up without talking!",
            "Sorry, there is no sound on your phone. Please call again. Goodbye!",
            "Silent call: close politely, wait 5 seconds, then hang up.",
        ),
        (
            "Hey, louder!",
            "Sorry, your voice is too low. Please pick up the handset to speak.",
            "Low volume (hands-free): ask the customer to pick up the handset.",
        ),
    ],
    "fil": [
        (
            "Hoy, magsalita ka!",
            "Magandang araw po, paano ko po kayo matutulungan?",
            "Tahimik na tawag: sabihin ang bati, maghintay ng 5 segundo, at ulitin.",
        ),
        (
            "Ibababa ko na kung hindi ka magsasalita!",
            "Paumanhin po, wala po kaming naririnig sa linya ninyo. Pakitawagan po ulit kami. Paalam po!",
            "Tahimik na tawag: magpaalam nang magalang, maghintay ng 5 segundo, saka ibaba.",
        ),
        (
            "Hoy, lakasan mo!",
            "Paumanhin po, mahina po ang inyong boses. Pakiangat po ang handset at doon po magsalita.",
            "Mahinang boses (hands-free): pakiusapang iangat ang handset.",
        ),
    ],
    "zh-hans": [
        ("喂，说话！", "您好，请问有什么可以帮您？", "无声电话：先问候，停顿5秒，再问候一次。"),
        (
            "不说话我就挂了！",
            "对不起，您的电话没有声音，请您重新拨打，再见！",
            "无声电话：礼貌结束，停顿5秒后再挂机。",
        ),
        ("喂，大声点！", "对不起，您的声音太小了，请您拿起话筒讲话。", "声音太小（免提）：请客户拿起话筒。"),
    ],
}


def seed(apps, schema_editor):
    Script = apps.get_model("scripts", "Script")
    ForbiddenPhrase = apps.get_model("scripts", "ForbiddenPhrase")
    for language, rows in SCRIPTS.items():
        for kind, step, text, wait_seconds in rows:
            Script.objects.get_or_create(
                language=language,
                kind=kind,
                step=step,
                plan_version=None,
                defaults={"text": text, "wait_seconds": wait_seconds},
            )
    for language, rows in PHRASES.items():
        for phrase, alternative, note in rows:
            ForbiddenPhrase.objects.get_or_create(
                language=language, phrase=phrase, defaults={"alternative": alternative, "note": note}
            )


def unseed(apps, schema_editor):
    Script = apps.get_model("scripts", "Script")
    ForbiddenPhrase = apps.get_model("scripts", "ForbiddenPhrase")
    for language, rows in SCRIPTS.items():
        for kind, step, text, _ in rows:
            Script.objects.filter(
                language=language, kind=kind, step=step, plan_version=None, text=text
            ).delete()
    for language, rows in PHRASES.items():
        for phrase, alternative, _ in rows:
            ForbiddenPhrase.objects.filter(language=language, phrase=phrase, alternative=alternative).delete()


class Migration(migrations.Migration):
    dependencies = [("scripts", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
