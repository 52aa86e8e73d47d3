"""What the demo company's customers write and what its agents answer, in English, Tagalog and Chinese.

Each scenario is one kind of case (a fridge that stops cooling, a late delivery, a refund) with its
subject lines, the customer's first message, the agent's replies in order, the customer's follow-ups,
the resolution, and the internal notes agents leave (in English, as a Manila desk writes them).
Placeholders: {product}, {order}, {date} and {serial}.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from frontline.demo.people import EN, FIL, SURNAME_HANZI, ZH

SALES = "Sales & Orders"
SUPPORT = "Technical Support"
COMPLAINTS = "Complaints & Returns"


@dataclass(frozen=True)
class Lines:
    """One scenario's words in one language."""

    subjects: tuple[str, ...]
    openings: tuple[str, ...]
    replies: tuple[str, ...]
    follow_ups: tuple[str, ...]
    resolution: str


@dataclass(frozen=True)
class Scenario:
    key: str
    team: str
    category: str
    product_kinds: tuple[str, ...]
    #: weights of low, normal, high and urgent
    priorities: tuple[int, int, int, int]
    tags: tuple[str, ...]
    weight: int
    notes: tuple[str, ...]
    lines: dict[str, Lines]


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        key="fridge_not_cooling",
        team=SUPPORT,
        category="technical",
        product_kinds=("refrigerator",),
        priorities=(0, 4, 5, 1),
        tags=("not-cooling", "repair"),
        weight=10,
        notes=(
            "Checked warranty: unit bought within 12 months, covered.",
            "Food spoilage complaint - please prioritise the technician slot.",
            "Defrost thermostat on back order, supplier ETA 3 days.",
        ),
        lines={
            EN: Lines(
                subjects=("Fridge not cooling anymore", "Refrigerator stopped cooling - food spoiling"),
                openings=(
                    "Hi, my {product} stopped cooling since yesterday. The light is on and I can hear the "
                    "fan, but the lower compartment is warm and the freezer is melting. We bought it last "
                    "year. Please help, our food is spoiling.",
                    "Good day. Our refrigerator is not cooling properly. The freezer is fine but the chiller "
                    "section is warm. Order no. {order}. Can you send a technician?",
                ),
                replies=(
                    "Sorry to hear that your refrigerator is not cooling. Could you please check that the "
                    "temperature dial is set to 4 or 5, and that the back of the unit is at least 10 cm "
                    "from the wall? If it is still warm after 6 hours, please send us a photo of the serial "
                    "number sticker inside the door so we can book a technician under warranty.",
                    "Thank you for the details. We have booked a technician visit on {date} between 9 AM "
                    "and 12 NN. The technician will call you before arriving. Please make sure an adult is "
                    "at home.",
                ),
                follow_ups=(
                    "I already checked the dial and it is on 5. Still not cold. The serial number is "
                    "{serial}.",
                    "Any update? It has been two days and we are throwing away food.",
                ),
                resolution="Our technician replaced the defrost thermostat and the unit is cooling normally "
                "again. The repair was covered by your warranty, so there is no charge. If the problem comes "
                "back, just reply to this message.",
            ),
            FIL: Lines(
                subjects=("Hindi na lumalamig ang ref", "Ref ayaw lumamig, nasisira na ang pagkain"),
                openings=(
                    "Hello po, hindi na lumalamig ang ref ko simula kahapon. Umiilaw pa naman at naririnig "
                    "ko ang fan, pero mainit ang loob at natutunaw na ang yelo sa freezer. Nabili namin ito "
                    "noong isang taon. Pakitulungan po kami, nasisira na ang pagkain namin.",
                    "Magandang araw po. Ayaw lumamig ng ref namin, okay ang freezer pero mainit ang chiller. "
                    "Order no. {order}. Pwede po bang magpadala ng technician?",
                ),
                replies=(
                    "Pasensya na po sa abala. Pakisuri po kung nasa 4 o 5 ang temperature dial, at may 10 cm "
                    "na pagitan ang likod ng ref sa pader. Kung mainit pa rin pagkatapos ng 6 na oras, "
                    "pakipadala po ang litrato ng serial number sticker sa loob ng pinto para ma-book namin "
                    "ang technician sa ilalim ng warranty.",
                    "Salamat po sa impormasyon. Naka-schedule na po ang technician sa {date}, 9 AM hanggang "
                    "12 NN. Tatawag po muna ang technician bago dumating. Siguraduhin lang po na may "
                    "nakatatanda sa bahay.",
                ),
                follow_ups=(
                    "Nasa 5 na po ang dial, hindi pa rin lumalamig. Ito po ang serial number: {serial}.",
                    "May update na po ba? Dalawang araw na, marami na kaming tinapong pagkain.",
                ),
                resolution="Pinalitan na po ng technician ang defrost thermostat at normal na ulit ang "
                "paglamig ng ref. Sakop po ito ng warranty kaya wala kayong babayaran. Kung maulit po ang "
                "problema, mag-reply lang po kayo dito.",
            ),
            ZH: Lines(
                subjects=("冰箱不制冷了", "冰箱冷藏室不冷，食物都坏了"),
                openings=(
                    "你好，我的冰箱从昨天开始不制冷了。灯是亮的，也能听到风扇声，但是冷藏室是温的，"
                    "冷冻室的冰也在融化。这台{product}是去年买的，麻烦尽快帮忙处理，食物都快坏了。",
                    "您好，我家冰箱冷冻室正常，但冷藏室一点都不冷。订单号 {order}。能派维修师傅上门吗？",
                ),
                replies=(
                    "很抱歉给您带来不便。请先确认温度旋钮是否调在4或5档，冰箱背面离墙至少留出10厘米。"
                    "如果6小时后仍然不冷，请拍一张门内侧序列号标签的照片发给我们，我们会按保修为您安排师傅上门。",
                    "感谢您提供的信息。我们已为您预约{date}上午9点至12点的上门维修，师傅到达前会先给您打电话。"
                    "届时请确保家中有成年人。",
                ),
                follow_ups=(
                    "旋钮已经调到5档了，还是不冷。序列号是 {serial}。",
                    "请问有进展吗？已经两天了，很多食物都只能扔掉。",
                ),
                resolution="维修师傅已更换除霜温控器，冰箱现已恢复正常制冷。此次维修在保修范围内，不收取任何费用。"
                "如果问题再次出现，请直接回复此消息。",
            ),
        },
    ),
    Scenario(
        key="washer_leaking",
        team=SUPPORT,
        category="technical",
        product_kinds=("washing_machine",),
        priorities=(1, 6, 3, 0),
        tags=("leak", "repair"),
        weight=8,
        notes=(
            "Likely the drain pump seal. Technician to bring part DP-220.",
            "Nag-follow up ulit si customer, pls call back before 5 PM.",
        ),
        lines={
            EN: Lines(
                subjects=("Washing machine leaking water", "Water on the floor after every wash"),
                openings=(
                    "Hello, my {product} leaks water from the bottom during the spin cycle. There is a "
                    "puddle on the floor after every wash. It is only 5 months old.",
                    "Our front-load washer is leaking from the door. We already cleaned the rubber seal but "
                    "it still leaks. Order {order}.",
                ),
                replies=(
                    "Thank you for reporting this. Please check that the drain hose is firmly attached and "
                    "not bent, and that the detergent drawer is fully closed. Could you also send a short "
                    "video of where the water comes out? It helps our technician bring the right parts.",
                    "We have scheduled a technician on {date}, 1 PM to 5 PM. Please keep the machine "
                    "unplugged and do not use it until then.",
                ),
                follow_ups=(
                    "The hose is fine, I sent the video. The water comes from under the drum.",
                    "Can the technician come earlier? Our laundry is piling up.",
                ),
                resolution="The technician replaced the cracked drain pump seal and ran a test wash with no "
                "leak. The repair is covered by the warranty. Thank you for your patience!",
            ),
            FIL: Lines(
                subjects=("Tumutulo ang washing machine", "Laging may tubig sa sahig pagkatapos maglaba"),
                openings=(
                    "Hello po, tumutulo ang tubig sa ilalim ng {product} ko kapag nag-i-spin. Laging may "
                    "baha sa sahig pagkatapos maglaba. 5 buwan pa lang po ito.",
                    "Yung front-load washer po namin tumutulo sa pinto. Nilinis na namin ang rubber seal "
                    "pero tumutulo pa rin. Order {order}.",
                ),
                replies=(
                    "Salamat po sa pag-report. Pakisuri po kung mahigpit ang kabit ng drain hose at hindi "
                    "nakabaluktot, at nakasara nang maayos ang detergent drawer. Pwede rin po bang "
                    "magpadala ng maikling video kung saan lumalabas ang tubig? Para po madala ng "
                    "technician ang tamang piyesa.",
                    "Naka-schedule na po ang technician sa {date}, 1 PM hanggang 5 PM. Huwag na po munang "
                    "gamitin ang makina at naka-unplug lang po hanggang dumating siya.",
                ),
                follow_ups=(
                    "Okay naman po ang hose, naipadala ko na ang video. Sa ilalim ng drum lumalabas ang "
                    "tubig.",
                    "Pwede po bang mas maaga pumunta ang technician? Tambak na po ang labada namin.",
                ),
                resolution="Pinalitan na po ng technician ang basag na seal ng drain pump at wala nang tagas "
                "sa test wash. Sakop po ito ng warranty. Salamat po sa inyong pasensya!",
            ),
            ZH: Lines(
                subjects=("洗衣机漏水", "每次洗完衣服地上都是水"),
                openings=(
                    "你好，我的{product}在脱水时底部漏水，每次洗完地上都有一滩水。才买了5个月。",
                    "我们的滚筒洗衣机门口漏水，已经清洁过门封胶圈，还是漏。订单号 {order}。",
                ),
                replies=(
                    "感谢您的反馈。请检查排水管是否接牢、有没有弯折，洗衣液盒是否完全关好。"
                    "能否拍一段漏水位置的短视频发给我们？这样师傅可以带上合适的配件。",
                    "已为您安排{date}下午1点至5点上门维修。在此之前请拔掉电源，暂停使用。",
                ),
                follow_ups=(
                    "排水管没问题，视频已经发了，水是从滚筒下面漏出来的。",
                    "师傅能早点来吗？家里的衣服已经堆成山了。",
                ),
                resolution="师傅已更换破裂的排水泵密封圈，试洗后不再漏水。本次维修在保修范围内。感谢您的耐心等待！",
            ),
        },
    ),
    Scenario(
        key="aircon_noise",
        team=SUPPORT,
        category="technical",
        product_kinds=("aircon",),
        priorities=(2, 6, 2, 0),
        tags=("noise", "aircon-service"),
        weight=12,
        notes=(
            "Installed by our crew last month - free visit under the installation warranty.",
            "Outdoor unit is on a 12th-floor ledge: needs 2 technicians and a safety harness.",
        ),
        lines={
            EN: Lines(
                subjects=("Aircon making a loud noise", "Rattling noise from the outdoor unit"),
                openings=(
                    "Hi, our {product} makes a loud rattling noise whenever the compressor starts, "
                    "especially at night. Your team installed it last month.",
                    "The indoor unit of our split-type aircon is buzzing and dripping water. Order {order}. "
                    "Is this covered by the installation warranty?",
                ),
                replies=(
                    "Sorry about the noise. Rattling at start-up is often caused by a loose bracket or "
                    "mounting bolt on the outdoor unit. Since our team installed it, the check is free under "
                    "the installation warranty. Which date is convenient for a visit?",
                    "We have booked a technician on {date}, 9 AM to 12 NN, to check the outdoor unit bracket "
                    "and the drain line.",
                ),
                follow_ups=(
                    "Any weekday morning is fine. The noise is worse when it is hot outside.",
                    "It is still noisy after the visit. Is that normal?",
                ),
                resolution="The technician tightened the outdoor unit bracket, added rubber dampers and "
                "cleared the drain line. The aircon is running quietly now. Thank you for choosing Aurora "
                "Appliances!",
            ),
            FIL: Lines(
                subjects=("Maingay ang aircon", "Kumakalampag ang outdoor unit ng aircon"),
                openings=(
                    "Hi po, kumakalampag nang malakas ang {product} namin tuwing umaandar ang compressor, "
                    "lalo na sa gabi. Kayo po ang nag-install noong isang buwan.",
                    "Yung indoor unit po ng split-type aircon namin ay umuugong at tumutulo ng tubig. Order "
                    "{order}. Sakop po ba ito ng installation warranty?",
                ),
                replies=(
                    "Pasensya na po sa ingay. Kadalasan po ang kalampag sa pag-start ay dahil sa maluwag na "
                    "bracket o turnilyo ng outdoor unit. Dahil kami po ang nag-install, libre po ang "
                    "pag-check sa ilalim ng installation warranty. Anong araw po ang maginhawa para sa inyo?",
                    "Naka-book na po ang technician sa {date}, 9 AM hanggang 12 NN, para tingnan ang bracket "
                    "ng outdoor unit at ang drain line.",
                ),
                follow_ups=(
                    "Kahit anong umaga po sa weekdays. Mas maingay po kapag mainit sa labas.",
                    "Maingay pa rin po pagkatapos ng visit, normal lang po ba ito?",
                ),
                resolution="Hinigpitan na po ng technician ang bracket ng outdoor unit, nilagyan ng rubber "
                "dampers at nilinis ang drain line. Tahimik na po ang aircon ngayon. Salamat po sa pagpili "
                "sa Aurora Appliances!",
            ),
            ZH: Lines(
                subjects=("空调噪音很大", "空调外机有异响"),
                openings=(
                    "你好，我们的{product}每次压缩机启动时都会发出很大的咔哒声，晚上尤其明显。上个月是你们的师傅安装的。",
                    "我家分体式空调的室内机有嗡嗡声，还在滴水。订单号 {order}。这个在安装保修范围内吗？",
                ),
                replies=(
                    "很抱歉噪音给您带来困扰。启动时的咔哒声通常是外机支架或固定螺栓松动造成的。"
                    "由于是我们安装的，安装保修期内上门检查免费。请问您哪天方便？",
                    "已为您预约{date}上午9点至12点，师傅会检查外机支架和排水管。",
                ),
                follow_ups=(
                    "工作日上午都可以。天气热的时候噪音更大。",
                    "师傅来过以后还是有噪音，这正常吗？",
                ),
                resolution="师傅已紧固外机支架，加装了减震胶垫，并疏通了排水管。现在空调运行很安静。"
                "感谢您选择Aurora Appliances！",
            ),
        },
    ),
    Scenario(
        key="tv_dead_pixels",
        team=COMPLAINTS,
        category="warranty",
        product_kinds=("tv",),
        priorities=(2, 6, 2, 0),
        tags=("dead-pixels", "replacement"),
        weight=5,
        notes=(
            "Photos confirm 4 dead pixels in the centre zone - qualifies for replacement.",
            "Replacement stock available at the Pasig warehouse.",
        ),
        lines={
            EN: Lines(
                subjects=("Dead pixels on my new TV", "Black dots on the TV screen"),
                openings=(
                    "I bought a {product} two weeks ago and there are three dead pixels near the centre of "
                    "the screen. They are very visible when watching. I would like a replacement.",
                    "There is a line of stuck pixels on the left side of my new TV. Order {order}. Can I "
                    "exchange it?",
                ),
                replies=(
                    "We are sorry about the screen. Could you please send a photo of the screen showing a "
                    "plain white background, and a photo of the serial number label at the back? Under the "
                    "pixel policy, panels with 3 or more dead pixels in the centre area are replaced.",
                    "Thank you, the photos confirm the defect and a replacement unit is approved. Delivery "
                    "of the new TV and pick-up of the defective one is scheduled on {date}.",
                ),
                follow_ups=(
                    "Photos attached. The dots are clearly visible on a white screen.",
                    "Will the delivery team also take the old TV? I no longer have the box.",
                ),
                resolution="The replacement TV was delivered and the defective unit was collected. We "
                "checked "
                "the new panel with you and it has no dead pixels. Enjoy your new TV!",
            ),
            FIL: Lines(
                subjects=("May dead pixels ang bagong TV", "May itim na tuldok sa screen ng TV ko"),
                openings=(
                    "Bumili po ako ng {product} dalawang linggo na ang nakaraan at may tatlong dead pixel "
                    "malapit sa gitna ng screen. Kitang-kita po habang nanonood. Gusto ko po sanang "
                    "mapalitan.",
                    "May linya po ng stuck pixels sa kaliwang bahagi ng bago kong TV. Order {order}. Pwede "
                    "po bang ipapalit?",
                ),
                replies=(
                    "Pasensya na po sa problema sa screen. Pakipadala po ang litrato ng screen na "
                    "naka-puting background at ang litrato ng serial number label sa likod. Ayon po sa "
                    "pixel policy, pinapalitan ang panel na may 3 o higit pang dead pixel sa gitna.",
                    "Salamat po, kumpirmado po ang depekto sa mga litrato at aprubado na ang kapalit na "
                    "unit. "
                    "Ang delivery ng bagong TV at pick-up ng sira ay sa {date}.",
                ),
                follow_ups=(
                    "Naka-attach na po ang mga litrato. Kitang-kita ang mga tuldok sa puting screen.",
                    "Kukunin din po ba ng delivery team ang lumang TV? Wala na po kasi ang kahon.",
                ),
                resolution="Naihatid na po ang kapalit na TV at nakuha na ang may depektong unit. Sabay po "
                "nating na-check ang bagong panel at walang dead pixel. Enjoy po sa bago ninyong TV!",
            ),
            ZH: Lines(
                subjects=("新电视有坏点", "电视屏幕上有黑点"),
                openings=(
                    "我两周前买的{product}屏幕中间附近有三个坏点，看电视时非常明显。我想换一台。",
                    "我新买的电视屏幕左侧有一排亮点。订单号 {order}。可以换货吗？",
                ),
                replies=(
                    "非常抱歉屏幕出现问题。请拍一张屏幕显示纯白背景的照片，以及电视背面序列号标签的照片发给我们。"
                    "根据像素政策，屏幕中央区域有3个或以上坏点的可以换货。",
                    "谢谢，照片已确认存在缺陷，换货已批准。新电视送货及旧机取回安排在{date}。",
                ),
                follow_ups=(
                    "照片已附上，白色背景下黑点很明显。",
                    "送货的师傅会把旧电视一起带走吗？包装箱已经没有了。",
                ),
                resolution="新电视已送达，有问题的电视也已取回。我们和您一起检查过新屏幕，没有坏点。祝您观看愉快！",
            ),
        },
    ),
    Scenario(
        key="microwave_not_heating",
        team=SUPPORT,
        category="technical",
        product_kinds=("microwave",),
        priorities=(2, 6, 2, 0),
        tags=("not-heating", "repair"),
        weight=4,
        notes=(
            "Magnetron fault likely. Told the customer to stop using it.",
            "Pick-up booked with logistics.",
        ),
        lines={
            EN: Lines(
                subjects=("Microwave not heating", "Microwave runs but the food stays cold"),
                openings=(
                    "My {product} turns on, the plate rotates and the light is on, but the food does not "
                    "get hot at all.",
                    "Our microwave made a loud humming sound and a burning smell, and now it does not heat. "
                    "Order {order}.",
                ),
                replies=(
                    "Thank you for letting us know. For your safety, please stop using the microwave and "
                    "unplug it. Humming without heating usually points to the magnetron. You can bring it "
                    "to any Aurora service centre or we can pick it up. Which do you prefer?",
                    "We have arranged the pick-up of the unit on {date}. The repair usually takes 5 to 7 "
                    "working days.",
                ),
                follow_ups=(
                    "Please pick it up, I cannot carry it to the service centre.",
                    "Is it a problem that I used it once more after I noticed the smell?",
                ),
                resolution="Your microwave was repaired (the magnetron was replaced under warranty) and "
                "delivered back to you. Please heat a cup of water for one minute to check that it works.",
            ),
            FIL: Lines(
                subjects=(
                    "Hindi umiinit ang microwave",
                    "Umaandar ang microwave pero malamig pa rin ang pagkain",
                ),
                openings=(
                    "Bumubukas po ang {product} ko, umiikot ang plato at may ilaw, pero hindi talaga "
                    "umiinit ang pagkain.",
                    "Umugong po nang malakas ang microwave namin at may amoy-sunog, ngayon hindi na "
                    "umiinit. Order {order}.",
                ),
                replies=(
                    "Salamat po sa pagsabi. Para sa inyong kaligtasan, huwag na po munang gamitin at "
                    "i-unplug ang microwave. Kapag umuugong pero hindi umiinit, kadalasan ay sira ang "
                    "magnetron. Pwede ninyo po itong dalhin sa kahit anong Aurora service centre o kami na "
                    "ang kukuha. Alin po ang mas gusto ninyo?",
                    "Naka-schedule na po ang pick-up ng unit sa {date}. Karaniwang 5 hanggang 7 working days "
                    "po ang repair.",
                ),
                follow_ups=(
                    "Pakikuha na lang po, hindi ko kayang buhatin papunta sa service centre.",
                    "Okay lang po ba na nagamit ko pa ito isang beses pagkatapos kong maamoy?",
                ),
                resolution="Naayos na po ang microwave ninyo (pinalitan ang magnetron sa ilalim ng warranty) "
                "at naibalik na sa inyo. Pakisubukan po sa isang tasang tubig nang isang minuto para "
                "ma-check "
                "kung umiinit.",
            ),
            ZH: Lines(
                subjects=("微波炉不加热", "微波炉能转但食物不热"),
                openings=(
                    "我的{product}能开机，转盘也在转，灯也亮，但是食物完全不热。",
                    "我们家微波炉发出很响的嗡嗡声，还有烧焦味，现在不加热了。订单号 {order}。",
                ),
                replies=(
                    "感谢您告知。为了安全，请停止使用并拔掉电源。有嗡嗡声但不加热，通常是磁控管故障。"
                    "您可以送到任意一家Aurora维修中心，或由我们上门取件。请问您选择哪种方式？",
                    "已安排{date}上门取件，维修一般需要5至7个工作日。",
                ),
                follow_ups=(
                    "请上门取吧，我搬不动。",
                    "闻到焦味之后我又用了一次，会有问题吗？",
                ),
                resolution="您的微波炉已修好（保修期内更换了磁控管）并已送回。请放一杯水加热一分钟，确认是否正常加热。",
            ),
        },
    ),
    Scenario(
        key="delivery_late",
        team=SALES,
        category="delivery",
        product_kinds=("refrigerator", "washing_machine", "aircon", "tv", "microwave"),
        priorities=(1, 5, 4, 0),
        tags=("delivery",),
        weight=12,
        notes=(
            "Checked with the warehouse: truck reassigned, order rescheduled.",
            "Delivery fee waiver approved by supervisor.",
        ),
        lines={
            EN: Lines(
                subjects=("Delivery is late", "Where is my order {order}?"),
                openings=(
                    "Hi, my order {order} ({product}) was supposed to arrive yesterday but nobody came and "
                    "no one called. I took a day off work for this. When will it arrive?",
                    "I paid for my {product} a week ago and the tracking still says 'processing'. Please "
                    "give me a delivery date.",
                ),
                replies=(
                    "We are very sorry for the delay. Your order {order} was held at our warehouse because "
                    "of a truck schedule change. It is now on the delivery list for {date}. The driver will "
                    "call you 30 minutes before arrival.",
                    "Your order is out for delivery today. You can reach the driver through our hotline if "
                    "you need to give directions.",
                ),
                follow_ups=(
                    "{date} is fine, but please make sure someone calls first. Our street is hard to find.",
                    "Still not here and it's almost 6 PM. Is the truck really coming?",
                ),
                resolution="Your {product} was delivered and signed for today. As an apology for the delay "
                "we "
                "have waived the delivery fee; the refund will appear on your card within 7 to 10 banking "
                "days.",
            ),
            FIL: Lines(
                subjects=("Late ang delivery", "Nasaan na po ang order {order}?"),
                openings=(
                    "Hi po, dapat po naideliver kahapon ang order {order} ({product}) pero walang dumating "
                    "at walang tumawag. Nag-leave pa ako sa trabaho para dito. Kailan po darating?",
                    "Isang linggo na po mula nang magbayad ako para sa {product} pero 'processing' pa rin "
                    "ang status. Pakibigay po ng delivery date.",
                ),
                replies=(
                    "Paumanhin po sa pagkaantala. Na-hold po ang order {order} sa warehouse dahil nagbago "
                    "ang schedule ng truck. Kasama na po ito sa delivery sa {date}. Tatawag po ang driver "
                    "30 minuto bago dumating.",
                    "Out for delivery na po ang order ninyo ngayong araw. Pwede po ninyong makontak ang "
                    "driver sa aming hotline kung kailangan ninyong magbigay ng direksyon.",
                ),
                follow_ups=(
                    "Okay po ang {date} pero pakisigurado po na tatawag muna, mahirap hanapin ang kalye "
                    "namin.",
                    "Wala pa rin po, mag-a-alas sais na. Darating po ba talaga ang truck?",
                ),
                resolution="Naideliver at napirmahan na po ang {product} ninyo ngayong araw. Bilang "
                "paumanhin "
                "sa pagkaantala, hindi na po namin sisingilin ang delivery fee; makikita po ang refund sa "
                "card "
                "ninyo sa loob ng 7 hanggang 10 banking days.",
            ),
            ZH: Lines(
                subjects=("送货延迟", "我的订单{order}到哪里了？"),
                openings=(
                    "你好，我的订单{order}（{product}）本应昨天送到，但没人来也没人打电话。我为此专门请了一天假。"
                    "什么时候能送到？",
                    "我一周前就付款买了{product}，物流状态还是“处理中”。请告诉我送货日期。",
                ),
                replies=(
                    "非常抱歉送货延误。由于货车排班调整，您的订单{order}在仓库滞留了。现已安排在{date}配送，"
                    "司机到达前30分钟会给您打电话。",
                    "您的订单今天已经出库配送。如需给司机指路，可以拨打我们的热线联系司机。",
                ),
                follow_ups=(
                    "{date}可以，但请一定先打电话，我们的街道不好找。",
                    "还没到，已经快6点了。货车真的会来吗？",
                ),
                resolution="您的{product}今天已送达并签收。为表歉意，我们已免除运费，退款将在7至10个银行工作日内"
                "退回您的卡上。",
            ),
        },
    ),
    Scenario(
        key="installation_appointment",
        team=SALES,
        category="installation",
        product_kinds=("aircon",),
        priorities=(3, 6, 1, 0),
        tags=("installation",),
        weight=9,
        notes=(
            "Condo needs a work permit 48 h before: email the installer IDs.",
            "Extra 2 m of copper tubing needed, quoted PHP 1,200.",
        ),
        lines={
            EN: Lines(
                subjects=("Installation appointment", "Please schedule my aircon installation"),
                openings=(
                    "Hello, I just bought a {product} at your Makati branch. When can your team install it? "
                    "We are available on weekends.",
                    "Please schedule the installation of my {product}, order {order}. Our condo needs a work "
                    "permit from the admin office. Can you give me the installers' names?",
                ),
                replies=(
                    "Thank you for your purchase! Our installation team is available on {date}. The standard "
                    "installation covers up to 3 metres of copper tubing; extra tubing is charged per metre. "
                    "Does this date work for you?",
                    "Noted. We will email the installers' names and IDs for your building permit two days "
                    "before the visit.",
                ),
                follow_ups=(
                    "Yes, {date} works. Please come in the morning.",
                    "Can you also remove the old window-type unit? How much would that be?",
                ),
                resolution="Installation is complete and the unit was tested with you. Your warranty is now "
                "registered under order {order}. Thank you!",
            ),
            FIL: Lines(
                subjects=("Schedule ng installation", "Pakikabit po ang aircon"),
                openings=(
                    "Hello po, kabibili ko lang po ng {product} sa branch ninyo sa Makati. Kailan po pwedeng "
                    "i-install ng team ninyo? Available po kami tuwing weekend.",
                    "Paki-schedule po ang installation ng {product} ko, order {order}. Kailangan po ng work "
                    "permit mula sa admin ng condo namin, pwede po bang makuha ang pangalan ng mga "
                    "installer?",
                ),
                replies=(
                    "Salamat po sa pagbili! Available po ang installation team namin sa {date}. Kasama po sa "
                    "standard installation ang hanggang 3 metrong copper tubing; may dagdag na bayad bawat "
                    "metro kung lalampas. Okay po ba sa inyo ang petsang ito?",
                    "Noted po. Ie-email po namin ang pangalan at ID ng mga installer para sa building permit "
                    "dalawang araw bago ang visit.",
                ),
                follow_ups=(
                    "Opo, okay ang {date}. Sa umaga na lang po sana.",
                    "Pwede rin po bang tanggalin ang lumang window-type? Magkano po iyon?",
                ),
                resolution="Tapos na po ang installation at nasubukan na kasama ninyo. Naka-register na po "
                "ang "
                "warranty ninyo sa order {order}. Salamat po!",
            ),
            ZH: Lines(
                subjects=("预约安装", "空调安装预约"),
                openings=(
                    "你好，我刚在你们马卡蒂门店买了一台{product}，什么时候可以上门安装？我们周末有空。",
                    "请帮我预约{product}的安装，订单号{order}。我们公寓物业需要施工许可，能提供安装师傅的名字吗？",
                ),
                replies=(
                    "感谢您的购买！我们的安装团队{date}有空。标准安装包含3米以内的铜管，超出部分按米收费。"
                    "请问这个日期可以吗？",
                    "好的。我们会在上门前两天把安装师傅的姓名和证件发邮件给您，用于办理物业许可。",
                ),
                follow_ups=(
                    "可以，{date}没问题，请上午来。",
                    "能顺便把旧的窗式空调拆掉吗？需要多少钱？",
                ),
                resolution="安装已完成，并已和您一起试机。您的保修已登记在订单{order}下。谢谢！",
            ),
        },
    ),
    Scenario(
        key="refund_request",
        team=COMPLAINTS,
        category="refund",
        product_kinds=("refrigerator", "washing_machine", "aircon", "tv", "microwave"),
        priorities=(1, 6, 3, 0),
        tags=("refund",),
        weight=6,
        notes=(
            "Refund approved by supervisor, within the agent limit.",
            "Finance confirmed the refund batch was sent.",
        ),
        lines={
            EN: Lines(
                subjects=("Refund request", "Cancel my order and refund"),
                openings=(
                    "I would like to cancel my order {order} for the {product} and get a refund. I found "
                    "the same model cheaper and your delivery date is too far away.",
                    "I returned the {product} to your store last week but I have not received my refund "
                    "yet. How long does it take?",
                ),
                replies=(
                    "We have received your refund request for order {order}. Since the item has not been "
                    "delivered, you are entitled to a full refund. Please confirm whether you paid by card "
                    "or by bank transfer so we can process it.",
                    "Your refund has been approved and sent to our finance team. Card refunds take 7 to 14 "
                    "banking days to appear on your statement.",
                ),
                follow_ups=(
                    "I paid by credit card. Please process it as soon as possible.",
                    "It has been 10 days and I still don't see the refund.",
                ),
                resolution="The refund for order {order} was completed today. Your bank reference number is "
                "{serial}. We are sorry to see the order cancelled and hope to serve you again.",
            ),
            FIL: Lines(
                subjects=("Hiling na refund", "I-cancel ang order at i-refund"),
                openings=(
                    "Gusto ko pong i-cancel ang order {order} para sa {product} at makuha ang refund. "
                    "Nakakita po ako ng parehong model na mas mura at masyadong matagal ang delivery date "
                    "ninyo.",
                    "Ibinalik ko na po ang {product} sa store ninyo noong nakaraang linggo pero hindi ko pa "
                    "natatanggap ang refund. Gaano po katagal ito?",
                ),
                replies=(
                    "Natanggap na po namin ang refund request para sa order {order}. Dahil hindi pa po "
                    "naideliver ang item, makakatanggap po kayo ng buong refund. Pakikumpirma po kung card "
                    "o bank transfer ang ginamit ninyo sa pagbayad.",
                    "Aprubado na po ang refund ninyo at ipinasa na sa finance team. Ang card refund po ay "
                    "lumalabas sa statement sa loob ng 7 hanggang 14 banking days.",
                ),
                follow_ups=(
                    "Credit card po. Pakiproseso na po agad.",
                    "10 araw na po, wala pa rin akong nakikitang refund.",
                ),
                resolution="Nakumpleto na po ngayong araw ang refund para sa order {order}. Ang bank "
                "reference "
                "number po ay {serial}. Sana po ay makapagsilbi ulit kami sa inyo.",
            ),
            ZH: Lines(
                subjects=("申请退款", "取消订单并退款"),
                openings=(
                    "我想取消订单{order}（{product}）并申请退款。我发现同款更便宜，而且你们的送货日期太晚了。",
                    "我上周已经把{product}退回你们门店了，但还没收到退款。需要多长时间？",
                ),
                replies=(
                    "我们已收到订单{order}的退款申请。由于商品尚未送达，您可以获得全额退款。"
                    "请确认您是用银行卡还是银行转账付款的，以便我们处理。",
                    "您的退款已批准并提交给财务部门。信用卡退款需要7至14个银行工作日才会显示在账单上。",
                ),
                follow_ups=(
                    "我是用信用卡付的，请尽快处理。",
                    "已经10天了，我还是没看到退款。",
                ),
                resolution="订单{order}的退款已于今天完成，银行参考号为{serial}。很遗憾订单被取消，期待再次为您服务。",
            ),
        },
    ),
    Scenario(
        key="warranty_claim",
        team=COMPLAINTS,
        category="warranty",
        product_kinds=("refrigerator", "washing_machine", "aircon"),
        priorities=(1, 6, 3, 0),
        tags=("warranty",),
        weight=7,
        notes=(
            "Serial checked: compressor is under the 10-year warranty.",
            "Customer upset about the technician's first assessment, escalated to supervisor.",
        ),
        lines={
            EN: Lines(
                subjects=("Warranty claim", "Is my {product} still under warranty?"),
                openings=(
                    "My {product} broke down after 14 months. According to your brochure the compressor has "
                    "a 10-year warranty. How do I file a claim?",
                    "I lost the receipt for my {product}. Can I still claim the warranty? I have the order "
                    "number {order}.",
                ),
                replies=(
                    "Thank you for contacting us. Your purchase is in our records under order {order}, so "
                    "you do not need the paper receipt. Parts are covered for 1 year and the compressor or "
                    "motor for 10 years. Please send a photo of the serial number label so we can register "
                    "the claim.",
                    "Your warranty claim is registered. A technician will visit on {date} to diagnose the "
                    "unit. If the fault is in the compressor, parts and labour are free.",
                ),
                follow_ups=(
                    "Here is the serial number: {serial}.",
                    "The technician said the part is not covered. Why? The brochure says 10 years.",
                ),
                resolution="The claim was approved: the compressor was replaced free of charge under the "
                "10-year warranty, and the transport fee was waived as well. Thank you for your patience.",
            ),
            FIL: Lines(
                subjects=("Warranty claim", "Sakop pa po ba ng warranty ang {product} ko?"),
                openings=(
                    "Nasira po ang {product} ko pagkalipas ng 14 na buwan. Ayon po sa brochure ninyo, 10 "
                    "taon ang warranty ng compressor. Paano po mag-file ng claim?",
                    "Nawala ko po ang resibo ng {product} ko. Pwede pa rin po bang mag-claim ng warranty? "
                    "May order number po ako: {order}.",
                ),
                replies=(
                    "Salamat po sa pag-contact sa amin. Nasa records po namin ang inyong pagbili sa order "
                    "{order}, kaya hindi na po kailangan ang resibo. 1 taon po ang warranty ng parts at 10 "
                    "taon sa compressor o motor. Pakipadala po ang litrato ng serial number label para "
                    "ma-register ang claim.",
                    "Naka-register na po ang warranty claim ninyo. Bibisita po ang technician sa {date} para "
                    "i-diagnose ang unit. Kung sa compressor po ang sira, libre ang parts at labor.",
                ),
                follow_ups=(
                    "Ito po ang serial number: {serial}.",
                    "Sabi po ng technician hindi raw sakop ang piyesa. Bakit po? 10 taon ang nakasulat sa "
                    "brochure.",
                ),
                resolution="Aprubado na po ang claim: pinalitan nang libre ang compressor sa ilalim ng "
                "10-year warranty, at hindi na rin po sinisingil ang transport fee. Salamat po sa pasensya.",
            ),
            ZH: Lines(
                subjects=("保修索赔", "我的{product}还在保修期内吗？"),
                openings=(
                    "我的{product}用了14个月就坏了。你们的宣传册上说压缩机保修10年。请问怎么申请保修？",
                    "我的{product}的收据丢了，还能申请保修吗？我有订单号{order}。",
                ),
                replies=(
                    "感谢您联系我们。系统里有您在订单{order}下的购买记录，所以不需要纸质收据。零件保修1年，"
                    "压缩机或电机保修10年。请拍一张序列号标签的照片发给我们，以便登记索赔。",
                    "您的保修申请已登记。维修师傅将于{date}上门检测。如果是压缩机故障，零件和人工全部免费。",
                ),
                follow_ups=(
                    "序列号是：{serial}。",
                    "师傅说这个零件不在保修范围内，为什么？宣传册上写的是10年。",
                ),
                resolution="索赔已批准：压缩机已按10年保修免费更换，运输费也已免除。感谢您的耐心。",
            ),
        },
    ),
    Scenario(
        key="product_inquiry",
        team=SALES,
        category="order",
        product_kinds=("refrigerator", "washing_machine", "aircon", "tv"),
        priorities=(5, 5, 0, 0),
        tags=("presales",),
        weight=12,
        notes=(
            "Stock check: 4 units at the Cebu branch.",
            "Customer asked for a corporate discount, forwarded to B2B sales.",
        ),
        lines={
            EN: Lines(
                subjects=("Question about installment plans", "Is the {product} available?"),
                openings=(
                    "Hi! Is the {product} available at your Cebu branch? Do you offer 0% installment with "
                    "a credit card?",
                    "Good afternoon, I'd like to order the {product}. Can I pay cash on delivery, and how "
                    "long is delivery to Quezon City?",
                ),
                replies=(
                    "Thank you for your interest! The {product} is in stock. We offer 0% installment over 6 "
                    "or 12 months with major credit cards, and cash on delivery within Metro Manila. "
                    "Delivery usually takes 3 to 5 working days.",
                    "I have reserved a unit for you under order {order}. You can complete the payment online "
                    "or at the branch until {date}.",
                ),
                follow_ups=(
                    "Great, please reserve one for me.",
                    "Does the price include installation?",
                ),
                resolution="Your order {order} is confirmed and paid. You will get a text message with the "
                "delivery schedule. Thank you for shopping with Aurora Appliances!",
            ),
            FIL: Lines(
                subjects=("Tanong tungkol sa installment", "Available po ba ang {product}?"),
                openings=(
                    "Hi po! Available po ba ang {product} sa Cebu branch ninyo? May 0% installment po ba "
                    "gamit ang credit card?",
                    "Magandang hapon po, gusto ko pong um-order ng {product}. Pwede po bang COD at gaano "
                    "katagal ang delivery sa Quezon City?",
                ),
                replies=(
                    "Salamat po sa interes! May stock po ang {product}. May 0% installment po kami na 6 o "
                    "12 buwan sa mga major credit card, at COD sa loob ng Metro Manila. Karaniwang 3 "
                    "hanggang 5 working days po ang delivery.",
                    "Nag-reserve na po ako ng unit para sa inyo sa order {order}. Pwede po kayong magbayad "
                    "online o sa branch hanggang {date}.",
                ),
                follow_ups=(
                    "Sige po, pa-reserve po ng isa.",
                    "Kasama na po ba sa presyo ang installation?",
                ),
                resolution="Kumpirmado at bayad na po ang order {order}. Makakatanggap po kayo ng text "
                "message para sa delivery schedule. Salamat po sa pamimili sa Aurora Appliances!",
            ),
            ZH: Lines(
                subjects=("关于分期付款的咨询", "{product}有货吗？"),
                openings=(
                    "你好！你们宿务门店有{product}吗？信用卡可以0利息分期吗？",
                    "下午好，我想订购{product}。可以货到付款吗？送到奎松市需要多久？",
                ),
                replies=(
                    "感谢您的关注！{product}目前有货。我们支持主流信用卡6期或12期0利息分期，"
                    "大马尼拉地区可以货到付款。送货一般需要3至5个工作日。",
                    "已为您在订单{order}下预留了一台，您可以在{date}之前在线或到门店完成付款。",
                ),
                follow_ups=(
                    "太好了，请帮我预留一台。",
                    "价格包含安装吗？",
                ),
                resolution="您的订单{order}已确认并付款。送货安排会以短信通知您。"
                "感谢您在Aurora Appliances购物！",
            ),
        },
    ),
    Scenario(
        key="damaged_on_delivery",
        team=COMPLAINTS,
        category="complaint",
        product_kinds=("refrigerator", "washing_machine", "tv", "microwave"),
        priorities=(0, 3, 6, 1),
        tags=("damaged-on-delivery", "replacement"),
        weight=5,
        notes=(
            "Delivery crew report says the customer signed without remarks - approving the replacement "
            "as goodwill anyway.",
            "Voucher issued: PHP 1,000.",
        ),
        lines={
            EN: Lines(
                subjects=("Item arrived damaged", "Delivered unit is dented and scratched"),
                openings=(
                    "The {product} delivered today has a big dent on the side and scratches on the top. The "
                    "delivery crew left before I could inspect it. I want a replacement, not a repair.",
                    "My new {product} arrived with a cracked panel. Order {order}. I have photos.",
                ),
                replies=(
                    "We sincerely apologise. Please send us photos of the damage, and of the box if you "
                    "still have it. Items damaged in transit are replaced, not repaired, within 7 days of "
                    "delivery.",
                    "Thank you for the photos. A replacement unit is approved and will be delivered on "
                    "{date}; our crew will collect the damaged unit at the same time.",
                ),
                follow_ups=(
                    "Photos sent. I still have the box.",
                    "Please make sure the new one is inspected before it leaves the warehouse.",
                ),
                resolution="The replacement was delivered and inspected together with you, and the damaged "
                "unit was collected. We have also added a PHP 1,000 voucher to your account for the trouble.",
            ),
            FIL: Lines(
                subjects=("Sira ang dumating na item", "May yupi at gasgas ang naideliver na unit"),
                openings=(
                    "Ang {product} na naideliver ngayon ay may malaking yupi sa gilid at gasgas sa ibabaw. "
                    "Umalis agad ang delivery crew bago ko pa ma-check. Gusto ko po ng kapalit, hindi "
                    "repair.",
                    "Dumating po ang bago kong {product} na may basag na panel. Order {order}. May mga "
                    "litrato po ako.",
                ),
                replies=(
                    "Taos-puso po kaming humihingi ng paumanhin. Pakipadala po ang mga litrato ng sira at "
                    "ng kahon kung nasa inyo pa. Ang mga item na nasira sa biyahe ay pinapalitan, hindi "
                    "inaayos, sa loob ng 7 araw mula delivery.",
                    "Salamat po sa mga litrato. Aprubado na po ang kapalit na unit at ide-deliver sa {date}; "
                    "kukunin din po ng crew ang sirang unit sa parehong araw.",
                ),
                follow_ups=(
                    "Naipadala ko na po ang mga litrato. Nasa akin pa ang kahon.",
                    "Pakisigurado po na iche-check ang bago bago umalis sa warehouse.",
                ),
                resolution="Naideliver na po ang kapalit at sabay nating na-inspect, at nakuha na rin ang "
                "sirang unit. Nagdagdag din po kami ng PHP 1,000 na voucher sa account ninyo bilang "
                "paumanhin.",
            ),
            ZH: Lines(
                subjects=("收到的商品有损坏", "送来的机器有凹痕和划痕"),
                openings=(
                    "今天送来的{product}侧面有一个很大的凹痕，顶部也有划痕。送货员没等我检查就走了。我要求换新，不要维修。",
                    "我新买的{product}送到时面板有裂纹。订单号{order}。我有照片。",
                ),
                replies=(
                    "我们深表歉意。请把损坏部位的照片以及包装箱（如果还在）的照片发给我们。"
                    "运输途中损坏的商品，在送达后7天内直接换新，不做维修处理。",
                    "感谢您提供照片。换新已批准，新机将于{date}送达，我们的工作人员会同时取回损坏的机器。",
                ),
                follow_ups=(
                    "照片已发送，包装箱还在。",
                    "请务必在新机出仓前检查好。",
                ),
                resolution="新机已送达并与您一起验收，损坏的机器也已取回。为表歉意，我们还在您的账户中添加了一张"
                "1000比索的代金券。",
            ),
        },
    ),
    Scenario(
        key="billing_double_charge",
        team=SALES,
        category="billing",
        product_kinds=("refrigerator", "washing_machine", "aircon", "tv", "microwave"),
        priorities=(0, 5, 5, 0),
        tags=("billing", "payment"),
        weight=4,
        notes=(
            "Payment gateway shows a duplicate authorisation, reversal requested.",
            "Payments team confirmed the reversal with the bank.",
        ),
        lines={
            EN: Lines(
                subjects=("Charged twice for my order", "Double charge on my credit card"),
                openings=(
                    "My credit card was charged twice for order {order}. Please refund the duplicate charge.",
                    "I paid for the {product} by online banking. Your site says the payment failed, but the "
                    "money was deducted. Order {order}.",
                ),
                replies=(
                    "Sorry for the trouble. I can see two payment attempts for order {order}; the second "
                    "one was a duplicate authorisation. Could you send a screenshot of your statement "
                    "showing both charges?",
                    "We have asked our payment provider to reverse the duplicate charge. You should see it "
                    "back on your account by {date}.",
                ),
                follow_ups=(
                    "Screenshot attached. Both charges are posted, not pending.",
                    "Still no reversal. Can you give me a reference number for my bank?",
                ),
                resolution="The duplicate charge has been reversed. Reference number: {serial}. Thank you "
                "for "
                "your patience.",
            ),
            FIL: Lines(
                subjects=("Dalawang beses na-charge ang order ko", "Double charge sa credit card"),
                openings=(
                    "Dalawang beses pong na-charge ang credit card ko para sa order {order}. Paki-refund po "
                    "ang sobrang charge.",
                    "Nagbayad po ako para sa {product} gamit ang online banking pero sabi ng site ninyo "
                    "failed ang payment, at nabawas na ang pera ko. Order {order}.",
                ),
                replies=(
                    "Pasensya na po sa abala. Nakikita ko po ang dalawang payment attempt para sa order "
                    "{order}; duplicate authorisation po ang pangalawa. Pakipadala po ang screenshot ng "
                    "statement na nagpapakita ng dalawang charge.",
                    "Hiniling na po namin sa payment provider na i-reverse ang sobrang charge. Makikita "
                    "ninyo po itong naibalik sa account ninyo bago mag-{date}.",
                ),
                follow_ups=(
                    "Naka-attach na po ang screenshot. Posted na po pareho, hindi pending.",
                    "Wala pa rin pong reversal. Pwede po bang makahingi ng reference number para sa bangko "
                    "ko?",
                ),
                resolution="Na-reverse na po ang sobrang charge. Reference number: {serial}. Salamat po sa "
                "inyong pasensya.",
            ),
            ZH: Lines(
                subjects=("订单被重复扣款", "信用卡被扣了两次"),
                openings=(
                    "我的信用卡为订单{order}被扣了两次款，请退还重复扣款。",
                    "我用网银支付了{product}，但你们网站显示付款失败，钱却已经扣了。订单号{order}。",
                ),
                replies=(
                    "抱歉给您带来麻烦。我看到订单{order}有两次付款记录，第二次是重复授权。请发一张显示两笔扣款的账单截图。",
                    "我们已要求支付服务商撤销重复扣款，预计{date}前退回您的账户。",
                ),
                follow_ups=(
                    "截图已附上，两笔都已入账，不是待处理状态。",
                    "还是没有退回。能给我一个参考号让我去问银行吗？",
                ),
                resolution="重复扣款已撤销，参考号：{serial}。感谢您的耐心。",
            ),
        },
    ),
)

#: An agent's reply once the scenario's own replies are used up.
UPDATES: dict[str, tuple[str, ...]] = {
    EN: (
        "Just an update: we are still working on this and will get back to you within 24 hours. Thank you "
        "for your patience.",
        "We have escalated this to our supervisor, who will call you tomorrow.",
    ),
    FIL: (
        "Update lang po: inaasikaso pa rin po namin ito at babalikan namin kayo sa loob ng 24 oras. "
        "Salamat po sa pasensya.",
        "Na-escalate na po namin ito sa supervisor at tatawagan po kayo bukas.",
    ),
    ZH: (
        "更新一下：我们仍在处理中，会在24小时内回复您。感谢您的耐心。",
        "我们已将此问题上报给主管，主管明天会给您打电话。",
    ),
}
#: A customer's nudge once the scenario's own follow-ups are used up.
CHASERS: dict[str, tuple[str, ...]] = {
    EN: (
        "Hello? Any news on this?",
        "I called your hotline but was on hold for 20 minutes. Please reply here.",
    ),
    FIL: (
        "Hello po? May balita na po ba?",
        "Tumawag po ako sa hotline ninyo pero 20 minuto akong naka-hold. Dito na lang po sana sumagot.",
    ),
    ZH: (
        "你好？请问有消息了吗？",
        "我打了你们的热线，等了20分钟都没人接，请在这里回复我。",
    ),
}
THANKS: dict[str, tuple[str, ...]] = {
    EN: (
        "Thank you, all good now!",
        "Thanks for the quick help.",
        "Received, thank you very much.",
        "Noted, thanks!",
    ),
    FIL: (
        "Salamat po, okay na!",
        "Maraming salamat po sa mabilis na tulong.",
        "Natanggap ko na po, salamat!",
    ),
    ZH: ("谢谢，现在没问题了！", "感谢你们这么快帮忙。", "收到了，非常感谢。", "好的，知道了，谢谢！"),
}
#: Internal notes any case may get, in the desk's own mix of English and Tagalog.
GENERAL_NOTES = (
    "Called the customer, no answer. Will try again tomorrow.",
    "Tinawagan ko si customer, hindi sumasagot. Try ulit bukas.",
    "Sent an SMS reminder about the appointment.",
    "Repeat contact - customer already called the hotline twice about this.",
)
ON_HOLD_NOTES = (
    "On hold: waiting for the part from the supplier.",
    "On hold until the technician's report comes back.",
    "On hold: waiting for the warehouse to confirm the replacement stock.",
)

_EN_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
)  # fmt: skip
_FIL_MONTHS = (
    "Enero", "Pebrero", "Marso", "Abril", "Mayo", "Hunyo", "Hulyo", "Agosto", "Setyembre", "Oktubre",
    "Nobyembre", "Disyembre",
)  # fmt: skip
_EN_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_FIL_DAYS = ("Lunes", "Martes", "Miyerkules", "Huwebes", "Biyernes", "Sabado", "Linggo")
_ZH_DAYS = ("一", "二", "三", "四", "五", "六", "日")
_ZH_TITLES = {"Mr": "先生", "Ms": "女士", "Mrs": "太太", "Dr": "博士"}


def spoken_date(day: date, language: str) -> str:
    """'Tuesday, 14 October', 'Martes, Oktubre 14', '10月14日（星期二）'."""
    if language == ZH:
        return f"{day.month}月{day.day}日（星期{_ZH_DAYS[day.weekday()]}）"
    if language == FIL:
        return f"{_FIL_DAYS[day.weekday()]}, {_FIL_MONTHS[day.month - 1]} {day.day}"
    return f"{_EN_DAYS[day.weekday()]}, {day.day} {_EN_MONTHS[day.month - 1]}"


def greeting(language: str, salutation: str, last_name: str, is_chat: bool) -> str:
    """How an agent opens a reply: 'Dear Ms Santos,', 'Magandang araw po, Ms Santos!', '陈先生，您好！'."""
    if language == ZH:
        surname = SURNAME_HANZI.get(last_name, last_name)
        return f"{surname}{_ZH_TITLES.get(salutation, '')}，您好！"
    formal = f"{salutation} {last_name}".strip()
    if language == FIL:
        return f"Hi po, {formal}!" if is_chat else f"Magandang araw po, {formal}!"
    return f"Hi {formal}!" if is_chat else f"Dear {formal},"


def sign_off(language: str, agent_name: str) -> str:
    if language == ZH:
        return f"Aurora Appliances 客户服务部\n{agent_name}"
    if language == FIL:
        return f"Salamat po,\n{agent_name}\nAurora Appliances Customer Care"
    return f"Best regards,\n{agent_name}\nAurora Appliances Customer Care"
