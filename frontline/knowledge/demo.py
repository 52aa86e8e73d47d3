"""The demo company's help center: Aurora Appliances' articles in English, Filipino and Chinese.

Loaded through the same services the product uses. `help_center_seed` is called by the demo loader
(`frontline/demo`) once the staff exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from frontline.accounts.models import User
from frontline.knowledge import services
from frontline.knowledge.models import Article, Audience, Category


@dataclass(frozen=True)
class DemoArticle:
    section: str
    slug: str
    audience: str
    products: tuple[str, ...]
    tags: tuple[str, ...]
    #: language → (title, body HTML); the first is the default language.
    texts: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: Languages left as drafts (being translated).
    drafts: tuple[str, ...] = ()


#: slug, name, description, names in other languages
CATEGORIES: tuple[tuple[str, str, str, dict[str, dict[str, str]]], ...] = (
    (
        "appliances",
        "Your appliances",
        "Aircon, refrigerators and washing machines: care and quick fixes.",
        {
            "fil": {"name": "Ang iyong mga appliance", "description": "Aircon, ref at washing machine."},
            "zh-hans": {"name": "您的家电", "description": "空调、冰箱和洗衣机的保养与快速排障。"},
        },
    ),
    (
        "service",
        "Service and support",
        "How we serve you: hours, channels, warranty.",
        {
            "fil": {"name": "Serbisyo at suporta", "description": "Oras, channel at warranty."},
            "zh-hans": {"name": "服务与支持", "description": "服务时间、联系渠道和保修。"},
        },
    ),
    (
        "agent-training",
        "Agent training",
        "Internal: how Aurora agents handle calls.",
        {},
    ),
)
#: key, category slug, name, names in other languages
SECTIONS: tuple[tuple[str, str, str, dict[str, dict[str, str]]], ...] = (
    ("aircon", "appliances", "Aircon", {"fil": {"name": "Aircon"}, "zh-hans": {"name": "空调"}}),
    ("refrigerator", "appliances", "Refrigerators", {"fil": {"name": "Ref"}, "zh-hans": {"name": "冰箱"}}),
    (
        "washer",
        "appliances",
        "Washing machines",
        {"fil": {"name": "Washing machine"}, "zh-hans": {"name": "洗衣机"}},
    ),
    (
        "plan",
        "service",
        "Our service plan",
        {"fil": {"name": "Ang aming plano"}, "zh-hans": {"name": "服务计划"}},
    ),
    ("calls", "agent-training", "Calls", {}),
)

ARTICLES = (
    DemoArticle(
        section="plan",
        slug="what-is-our-customer-service-plan",
        audience=Audience.PUBLIC,
        products=(),
        tags=("service plan",),
        texts={
            "en": (
                "What is Aurora's customer service plan?",
                "<p>Our customer service plan is the set of principles and procedures we follow to build, "
                "keep and strengthen our relationship with you, from the day you buy an Aurora appliance "
                "for as long as you use it.</p>"
                "<h2>What it covers</h2><ul>"
                "<li><strong>When you can reach us:</strong> phone Monday to Saturday, 8 AM to 8 PM; "
                "chat until 10 PM; email and this help center any time.</li>"
                "<li><strong>How fast we answer:</strong> a first reply to email within one business day, "
                "and chats answered within two minutes during opening hours.</li>"
                "<li><strong>What happens if something goes wrong:</strong> repair, replacement, a refund "
                "or a store credit, within the limits of your warranty.</li></ul>"
                "<p>We review the plan regularly, so it keeps meeting, and ideally exceeding, what you "
                "expect from us.</p>",
            ),
            "fil": (
                "Ano ang plano sa serbisyo sa customer ng Aurora?",
                "<p>Ang aming plano sa serbisyo sa customer ay ang mga patakaran at pamamaraan na sinusunod "
                "namin upang maitaguyod, mapanatili at mapahusay ang ugnayan namin sa iyo, mula sa araw na "
                "bumili ka ng Aurora appliance hanggang sa ginagamit mo ito.</p>"
                "<h2>Ano ang sakop nito</h2><ul>"
                "<li><strong>Kailan mo kami makakausap:</strong> telepono Lunes hanggang Sabado, 8 AM "
                "hanggang 8 PM; chat hanggang 10 PM; email at ang help center na ito anumang oras.</li>"
                "<li><strong>Gaano kabilis kami sumagot:</strong> unang sagot sa email sa loob ng isang "
                "araw ng negosyo, at sa chat sa loob ng dalawang minuto habang bukas kami.</li>"
                "<li><strong>Kung may problema:</strong> pagkumpuni, kapalit, refund o store credit, ayon "
                "sa iyong warranty.</li></ul>"
                "<p>Regular naming sinusuri ang plano upang matiyak na natutugunan nito, at nalalampasan "
                "pa, ang inaasahan mo sa amin.</p>",
            ),
            "zh-hans": (
                "什么是 Aurora 的客户服务计划？",
                "<p>我们的客户服务计划是一套原则和流程，用来建立、维护并加强我们与您的关系——"
                "从您购买 Aurora 家电的那一天起，直到您不再使用它。</p>"
                "<h2>计划包括</h2><ul>"
                "<li><strong>联系时间：</strong>电话服务周一至周六上午八点到晚上八点；在线客服到晚上十点；"
                "电子邮件和帮助中心全天开放。</li>"
                "<li><strong>回复速度：</strong>电子邮件一个工作日内首次回复，营业时间内在线咨询两分钟内接通。</li>"
                "<li><strong>出现问题时：</strong>在保修范围内为您维修、更换、退款或提供购物积分。</li></ul>"
                "<p>我们会定期检查这项计划，确保它满足并超越您的期望。</p>",
            ),
        },
    ),
    DemoArticle(
        section="aircon",
        slug="clean-your-aircon-filter",
        audience=Audience.PUBLIC,
        products=("Aurora Split-Type Inverter 1.5 HP AC-SI15", "Aurora Window-Type 1.0 HP AC-W10"),
        tags=("aircon", "maintenance", "not cooling"),
        texts={
            "en": (
                "Aircon not cooling? Clean the filter first",
                "<p>A dusty filter is the most common reason an aircon blows warm air or cools slowly. "
                "Clean it every two weeks in the hot season.</p><ol>"
                "<li>Switch the aircon off and unplug it.</li>"
                "<li>Open the front panel and slide out the two mesh filters.</li>"
                "<li>Rinse them with lukewarm water and mild soap; do not use hot water.</li>"
                "<li>Let them dry in the shade, then slide them back.</li></ol>"
                "<p>Still not cooling after 30 minutes? Check that the remote is set to <em>Cool</em>, "
                "not <em>Fan</em>, and that the temperature is below the room's. If it still does not cool, "
                "contact us for a service visit.</p>",
            ),
            "fil": (
                "Hindi lumalamig ang aircon? Linisin muna ang filter",
                "<p>Ang maalikabok na filter ang pinakakaraniwang dahilan kung bakit mainit ang hangin ng "
                "aircon o mabagal itong lumamig. Linisin ito tuwing dalawang linggo kapag tag-init.</p><ol>"
                "<li>Patayin ang aircon at hugutin sa saksakan.</li>"
                "<li>Buksan ang front panel at hugutin ang dalawang filter.</li>"
                "<li>Banlawan ng maligamgam na tubig at banayad na sabon; "
                "huwag gumamit ng mainit na tubig.</li>"
                "<li>Patuyuin sa lilim, saka ibalik.</li></ol>"
                "<p>Hindi pa rin lumalamig pagkalipas ng 30 minuto? Tiyaking nasa <em>Cool</em> ang remote "
                "at hindi sa <em>Fan</em>. Kung ayaw pa rin, makipag-ugnayan sa amin para sa "
                "service visit.</p>",
            ),
            "zh-hans": (
                "空调不制冷？先清洗过滤网",
                "<p>过滤网积灰是空调吹热风或制冷慢的最常见原因。炎热季节请每两周清洗一次。</p><ol>"
                "<li>关闭空调并拔下电源插头。</li>"
                "<li>打开前面板，抽出两片过滤网。</li>"
                "<li>用温水和中性肥皂冲洗，不要用热水。</li>"
                "<li>在阴凉处晾干后装回。</li></ol>"
                "<p>三十分钟后仍不制冷？请确认遥控器设为“制冷”而不是“送风”。如果仍不制冷，请联系我们预约上门维修。</p>",
            ),
        },
    ),
    DemoArticle(
        section="refrigerator",
        slug="refrigerator-not-cold-enough",
        audience=Audience.PUBLIC,
        products=("Aurora Inverter 2-Door 12 cu.ft. AR-2D340i", "Aurora FrostFree 2-Door 9 cu.ft. AR-2D260"),
        tags=("refrigerator", "not cooling"),
        texts={
            "en": (
                "Refrigerator not cold enough",
                "<p>After a new refrigerator is plugged in, give it 24 hours to reach its temperature. "
                "If it is still warm after that:</p><ul>"
                "<li>Set the dial to the middle (4 on a 1 to 7 scale).</li>"
                "<li>Leave at least 10 cm between the back of the refrigerator and the wall.</li>"
                "<li>Check that the door gasket closes tightly: a sheet of paper shut in the door should "
                "not slide out easily.</li>"
                "<li>Do not block the air vents inside with food.</li></ul>"
                "<p>During a brownout, unplug it and wait three minutes before plugging it in again.</p>",
            ),
            "zh-hans": (
                "冰箱不够冷",
                "<p>新冰箱通电后，请等待二十四小时让温度稳定。如果之后仍然不冷：</p><ul>"
                "<li>把温控旋钮调到中间档位（1 到 7 档中的 4 档）。</li>"
                "<li>冰箱背面与墙壁之间至少留出十厘米。</li>"
                "<li>检查门封是否严密：夹在门里的纸不应轻易抽出。</li>"
                "<li>不要用食物挡住冷藏室内的出风口。</li></ul>"
                "<p>停电时请拔下插头，来电后等三分钟再插上。</p>",
            ),
        },
        drafts=("zh-hans",),
    ),
    DemoArticle(
        section="washer",
        slug="washing-machine-does-not-drain",
        audience=Audience.PUBLIC,
        products=("Aurora TopLoad 8 kg AW-TL80", "Aurora FrontLoad Inverter 9 kg AW-FL90i"),
        tags=("washing machine", "drain"),
        texts={
            "en": (
                "Washing machine does not drain",
                "<p>Water left in the drum after a cycle usually means the drain is blocked.</p><ol>"
                "<li>Unplug the machine and check that the drain hose is not bent or squeezed behind it.</li>"
                "<li>The end of the hose should hang no higher than 1 metre from the floor.</li>"
                "<li>On front-loaders, open the small door at the bottom front, put a shallow tray under it, "
                "and unscrew the pump filter slowly to let the water out. Remove coins and lint.</li>"
                "<li>Screw the filter back tightly and run a <em>Rinse + Spin</em> cycle.</li></ol>",
            ),
            "fil": (
                "Hindi nagdedrain ang washing machine",
                "<p>Kung may natitirang tubig sa drum pagkatapos ng cycle, kadalasang barado ang drain.</p>"
                "<ol><li>Hugutin ang makina at tiyaking hindi baluktot o naiipit ang drain hose.</li>"
                "<li>Ang dulo ng hose ay hindi dapat mas mataas sa 1 metro mula sa sahig.</li>"
                "<li>Sa front-loader, buksan ang maliit na pinto sa ibaba, maglagay ng mababaw na lalagyan, "
                "at dahan-dahang alisin ang pump filter. Tanggalin ang barya at himulmol.</li>"
                "<li>Ibalik nang mahigpit ang filter at patakbuhin ang <em>Rinse + Spin</em>.</li></ol>",
            ),
        },
    ),
    DemoArticle(
        section="calls",
        slug="silent-calls",
        audience=Audience.INTERNAL,
        products=(),
        tags=("training", "calls"),
        texts={
            "en": (
                "Silent calls: what to say and when to hang up",
                "<p>When you hear nothing on a call:</p><ol>"
                "<li>Say: “Hello, what can I do for you?” and wait 5 seconds.</li>"
                "<li>Say it again and wait another 5 seconds.</li>"
                "<li>Then say: “Sorry, there is no sound on your phone. Please call again, goodbye!”, "
                "wait 5 seconds and hang up.</li></ol>"
                "<p>Never say “Hey, talk! I'll hang up without talking!”</p>",
            ),
        },
    ),
)


def help_center_seed(*, actor: User | None) -> list[Article]:
    """Create Aurora Appliances' help center (categories, sections, five articles in en/fil/zh-hans,
    one internal) and publish it. Does nothing and returns [] when the categories already exist."""
    if Category.objects.filter(slug__in=[slug for slug, *_ in CATEGORIES]).exists():
        return []
    categories = {
        slug: services.category_create(
            actor=actor, name=name, slug=slug, description=description, translations=names, position=i
        )
        for i, (slug, name, description, names) in enumerate(CATEGORIES)
    }
    sections = {
        key: services.section_create(
            actor=actor, category=categories[category], name=name, translations=names, position=i
        )
        for i, (key, category, name, names) in enumerate(SECTIONS)
    }
    articles = []
    for position, demo in enumerate(ARTICLES):
        (language, (title, body)), *others = demo.texts.items()
        article = services.article_create(
            actor=actor,
            section=sections[demo.section],
            language=language,
            title=title,
            body_html=body,
            audience=demo.audience,
            tags=list(demo.tags),
            products=list(demo.products),
            slug=demo.slug,
            position=position,
        )
        translations = [article.translations.get(language=language)]
        for other, (other_title, other_body) in others:
            translations.append(
                services.translation_create(
                    actor=actor, article=article, language=other, title=other_title, body_html=other_body
                )
            )
        for translation in translations:
            if translation.language not in demo.drafts:
                services.translation_publish(actor=actor, translation=translation)
        articles.append(article)
    return articles
