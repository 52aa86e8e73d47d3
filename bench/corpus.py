"""Customer-service text for the benchmark database: English, Tagalog (Taglish) and Chinese.

Words are drawn with Zipf-like weights, so a few words are in most messages and many are rare;
`SEARCH_TERMS` names words at several levels of frequency for the search operation. A seeded
`random.Random` drives everything, so the same seed gives the same database.
"""

from __future__ import annotations

import itertools
import random


def _words(text: str) -> list[str]:
    return text.split()


# Most common first: the position in the list sets the weight (1 / (rank + 8)).
ENGLISH = _words(
    """
the to i my and a is for you it of please order not have this in on was with me can
we but your be that would like help thank thanks hi hello just still get been received
item delivery refund account payment number when no yet already today will did do are
what how why there they an at from so if or as all any one two our us know need want
check status update issue problem card back return replace replacement call phone email
time day days week weeks since ago again tried try working works doesnt dont cannot
charged twice cancel cancelled cancellation address shipping shipped package parcel
tracking courier arrived late missing wrong damaged broken defective store branch
receipt invoice warranty repair technician schedule appointment visit install
installation unit model serial service center password login reset app website voucher
discount promo points member loyalty balance bank transfer gcash cash cod online
subscription plan renew renewal bill billing statement overcharged fee fees confirm
confirmation reference ticket follow followup urgent asap waiting response reply agent
manager supervisor complaint feedback quality color size exchange stock available
price sale coupon code expired valid invalid error message screen noise leaking cooling
heating power battery charger cable remote manual instructions box sealed opened
photo attached attachment video sent send sending resend verify verification otp sms
notification notifications settings profile change changed update updated name birthday
"""
)

TAGALOG = _words(
    """
po na ang ng sa ko mo yung pa lang naman salamat hindi ba kasi pero at ako kayo ninyo
ito iyan iyon dito diyan doon kailan paano bakit saan sino ano wala meron mayroon
gusto kailangan pwede puwede sana agad ulit din rin talaga sobra medyo ngayon kahapon
bukas mamaya linggo buwan araw oras dumating darating padala pinadala bayad binayaran
nagbayad sira nasira ayaw gumana gumagana palitan papalitan ibalik pera tindahan
bumili binili resibo numero telepono bahay pasensya naghihintay hinihintay sagot
tawag tumawag sumagot tulong tulungan paki pakisuyo pakiayos pakicheck maraming
mabilis matagal mahal mura bago luma kulay laki tama mali nawawala dala dalhin
"""
)

CHINESE = _words(
    """
您好 请问 谢谢 我的 订单 已经 没有 收到 什么 时候 可以 需要 帮助 退款 发票 送货
安装 维修 保修 客服 电话 地址 付款 价格 问题 冰箱 洗衣机 空调 电视 手机 充电器
电池 屏幕 声音 遥控器 说明书 门店 预约 时间 今天 明天 昨天 坏了 换货 快递 取消
账户 密码 登录 优惠券 会员 积分 物流 延迟 投诉 服务 质量 产品 型号 颜色 尺寸
"""
)

# Rare words: product lines and model names; one of them is in about one message in twenty,
# the first few far more often than the last.
RARE = _words(
    """
frostmaster aircool turbowash inverterplus quietdry ecoheat smartview pixelon ultrafresh
coolbreeze steamjet aquaguard brightwave soundmax flexifit cleanpro hydroboost silentair
thermoplus nanosafe powerhub swiftcharge crystalview dualzone freshlock megabass
"""
)

PRODUCTS = [
    "refrigerator",
    "washing machine",
    "aircon",
    "television",
    "smartphone",
    "laptop",
    "rice cooker",
    "electric fan",
    "microwave",
    "water heater",
]
CATEGORIES = ["delivery", "billing", "repair", "returns", "account", "installation", "product info"]
TAGS = [
    "vip",
    "billing",
    "delivery",
    "refund",
    "warranty",
    "repair",
    "install",
    "complaint",
    "escalated",
    "callback",
    "social",
    "bug",
    "feature-request",
    "duplicate",
    "spam",
    "urgent",
    "follow-up",
    "voucher",
    "gcash",
    "cod",
]
TEAM_NAMES = [
    "Appliances",
    "Mobile",
    "Billing",
    "Deliveries",
    "Returns",
    "Installations",
    "Loyalty",
    "Social media",
    "Enterprise",
    "Escalations",
]
FIRST_NAMES = _words(
    "Maria Jose Juan Ana Mark John Michael Angel Christian Jasmine Kristine Paolo Carlo Miguel "
    "Andrea Camille Nicole Patricia Liza Rowena Wei Li Ming Jun Hui Mei Chen Xiao Robert Grace"
)
LAST_NAMES = _words(
    "Santos Reyes Cruz Bautista Ocampo Garcia Mendoza Torres Tomas Andrada Castillo Flores "
    "Villanueva Ramos Castro Rivera Aquino Navarro Salazar Mercado Tan Lim Chua Go Sy Ong Lee "
    "Wang Zhang Liu"
)
BUSINESSES = ["Trading", "Foods", "Motors", "Realty", "Appliance Center"]
CITIES = [
    ("NCR", "Manila"),
    ("NCR", "Quezon City"),
    ("NCR", "Makati"),
    ("NCR", "Pasig"),
    ("Central Visayas", "Cebu City"),
    ("Davao Region", "Davao City"),
    ("Western Visayas", "Iloilo City"),
    ("Central Luzon", "Angeles"),
]

# What the search operation looks for, from very common to rare (the build reports how many
# tickets each matches). "冰箱" is a two-character Chinese word: a phrase of two CJK tokens.
SEARCH_TERMS = ["order", "refund", "salamat", "warranty", "冰箱", "aircool", "megabass"]


def _cumulative(words: list[str], offset: int = 8) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank + offset) for rank in range(len(words))))


class TextGenerator:
    """Subjects and message bodies in a mix of languages, drawn with Zipf-like word weights."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._english = (ENGLISH, _cumulative(ENGLISH))
        self._tagalog = (TAGALOG, _cumulative(TAGALOG))
        self._chinese = (CHINESE, _cumulative(CHINESE, offset=4))
        self._rare = (RARE, _cumulative(RARE, offset=1))

    def _words(self, vocabulary: tuple[list[str], list[float]], count: int) -> list[str]:
        words, weights = vocabulary
        return self.rng.choices(words, cum_weights=weights, k=count)

    def _sentence(self, language: str) -> str:
        rng = self.rng
        if language == "zh":
            text = "".join(self._words(self._chinese, rng.randint(3, 9)))
            return text + rng.choice("。。。？！")
        if language == "tl":
            words = self._words(self._tagalog, rng.randint(5, 12))
            for _ in range(rng.randint(1, 3)):  # Taglish: English words mixed in
                words.insert(rng.randrange(len(words) + 1), self._words(self._english, 1)[0])
        else:
            words = self._words(self._english, rng.randint(6, 16))
        words[0] = words[0].capitalize()
        return " ".join(words) + rng.choice("....?!")

    def _extras(self) -> list[str]:
        rng = self.rng
        extras = []
        if rng.random() < 0.15:
            extras.append(f"Order #{rng.randrange(10**7, 10**8)}.")
        if rng.random() < 0.05:
            model = self._words(self._rare, 1)[0]
            extras.append(f"Model {model.capitalize()} {rng.randrange(100, 999)}.")
        return extras

    def language(self) -> str:
        roll = self.rng.random()
        return "en" if roll < 0.6 else "tl" if roll < 0.85 else "zh"

    def body(self, language: str | None = None) -> str:
        language = language or self.language()
        sentences = [self._sentence(language) for _ in range(self.rng.randint(1, 5))]
        sentences += self._extras()
        self.rng.shuffle(sentences)
        return " ".join(sentences)

    def subject(self, language: str | None = None) -> str:
        rng = self.rng
        language = language or self.language()
        if language == "zh":
            return "".join(self._words(self._chinese, rng.randint(2, 5)))
        vocabulary = self._tagalog if language == "tl" else self._english
        words = self._words(vocabulary, rng.randint(2, 5))
        product = rng.choice(PRODUCTS)
        return f"{' '.join(words).capitalize()} {product}"[:250]
