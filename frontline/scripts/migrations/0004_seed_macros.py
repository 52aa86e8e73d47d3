"""Default macros in English, Tagalog and Chinese (the business edits or retires them)."""

from django.db import migrations

MACROS = [
    (
        "en",
        "Technician visit booked",
        "{day_greeting}, {salutation} {surname}. Thank you for your patience. We have booked a technician "
        "to visit you; they will call you before they come. If the time does not suit you, just reply "
        "to this message.\n\nKind regards,\n{agent_first_name}, {company}",
    ),
    (
        "en",
        "Waiting for your reply",
        "{day_greeting}, {salutation} {surname}. To help you further we need a little more information: "
        "the model and serial number printed on the label of your appliance. We look forward to your "
        "reply.\n\nKind regards,\n{agent_first_name}, {company}",
    ),
    (
        "fil",
        "Naka-book na ang technician",
        "{day_greeting}, {salutation} {surname}. Salamat po sa inyong pasensya. Nakapag-book na po kami ng "
        "technician na bibisita sa inyo; tatawag po sila bago dumating. Kung hindi po angkop ang oras, "
        "sumagot lamang po sa mensaheng ito.\n\nLubos na gumagalang,\n{agent_first_name}, {company}",
    ),
    (
        "zh-hans",
        "已预约维修师傅",
        "{surname}{salutation}，{day_greeting}！感谢您的耐心等待。我们已为您预约维修师傅上门，"
        "师傅上门前会先致电您。如时间不方便，请直接回复此消息。\n\n此致\n{company} {agent_first_name}",
    ),
]


def seed(apps, schema_editor):
    Macro = apps.get_model("scripts", "Macro")
    for language, name, body in MACROS:
        Macro.objects.get_or_create(language=language, name=name, defaults={"body": body})


def unseed(apps, schema_editor):
    Macro = apps.get_model("scripts", "Macro")
    for language, name, _ in MACROS:
        Macro.objects.filter(language=language, name=name).delete()


class Migration(migrations.Migration):
    dependencies = [("scripts", "0003_macros")]
    operations = [migrations.RunPython(seed, unseed)]
