"""Articles for the local news site: realistic news in Russian, Kazakh and English.

Each article is built from a story family (title and paragraph templates) with its
own seeded random choices, so article *i* is the same in every run and every one of
N articles has text of its own (nothing here is a duplicate unless a test makes it
one). The paragraphs are the truth: an extractor and cleaner must keep every one of
them and nothing else of the page.
"""

from __future__ import annotations

import random
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

RU_MONTHS_SHORT = (
    "янв",
    "фев",
    "мар",
    "апр",
    "мая",
    "июн",
    "июл",
    "авг",
    "сен",
    "окт",
    "ноя",
    "дек",
)
RU_MONTHS = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip
EN_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Family:
    """A kind of story: where it is filed, in which language and page style, and its templates."""

    section: str
    language: str
    style: str  # "ria", "tass", "kazinform", "tengri", "reuters"
    titles: tuple[str, ...]
    paragraphs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SiteArticle:
    index: int
    slug: str
    section: str
    language: str
    style: str
    title: str
    dateline: str  # agency dateline that opens the lead on the page
    paragraphs: tuple[str, ...]  # the body, lead first (without the dateline)
    published: datetime
    author: str | None
    caption: str
    views: int

    @property
    def path(self) -> str:
        return f"/news/{self.section}/{self.slug}.html"

    @property
    def lead(self) -> str:
        return self.paragraphs[0]

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


SLOTS = {
    "ru_city": (
        "Астане",
        "Алматы",
        "Москве",
        "Шымкенте",
        "Караганде",
        "Оренбурге",
        "Омске",
        "Уральске",
    ),
    "person_kz": (
        "Касым-Жомарт Токаев",
        "Олжас Бектенов",
        "Мурат Нуртлеу",
        "Ерлан Карин",
        "Серик Жумангарин",
    ),  # fmt: skip
    "person_ru": (
        "Владимир Путин",
        "Михаил Мишустин",
        "Сергей Лавров",
        "Алексей Оверчук",
        "Александр Новак",
    ),
    "company": (
        "«Казатомпром»",
        "«КазМунайГаз»",
        "«Самрук-Казына»",
        "«Росатом»",
        "«Газпром»",
        "«КТЖ»",
    ),
    "ru_weekday": ("в понедельник", "во вторник", "в среду", "в четверг", "в пятницу"),
    "region": (
        "Костанайской",
        "Павлодарской",
        "Северо-Казахстанской",
        "Западно-Казахстанской",
        "Актюбинской",
        "Восточно-Казахстанской",
    ),  # fmt: skip
    "kk_city": ("Астанада", "Алматыда", "Шымкентте", "Қарағандыда", "Ақтөбеде"),
    "en_city": ("Astana", "Almaty", "Moscow", "Shymkent", "Aktobe"),
}

FAMILIES: tuple[Family, ...] = (
    Family(
        section="politics",
        language="ru",
        style="ria",
        titles=(
            "Токаев и Путин обсудили казахстанско-российское сотрудничество",
            "Президенты Казахстана и России провели переговоры в {ru_city}",
            "Лидеры Казахстана и России договорились расширить межрегиональные связи",
        ),
        paragraphs=(
            "Президент Казахстана Касым-Жомарт Токаев и президент России Владимир Путин "
            "{ru_weekday} провели переговоры, посвящённые развитию стратегического партнёрства "
            "двух стран. Встреча прошла в {ru_city}.",
            "По словам пресс-секретаря главы государства, стороны обсудили торгово-экономическое "
            "сотрудничество, реализацию совместных проектов в энергетике и транспортной логистике, "
            "а также подготовку к очередному форуму межрегионального сотрудничества.",
            "Товарооборот между Казахстаном и Россией по итогам прошлого года составил "
            "{big} млрд долларов. Россия остаётся одним из крупнейших торговых партнёров республики.",
            "Отдельное внимание было уделено вопросам водопользования на трансграничных реках "
            "Урал и Иртыш, а также строительству новых пунктов пропуска на границе.",
            "{person_ru} отметил, что двусторонние отношения развиваются «в духе добрососедства "
            "и союзничества», а межправительственная комиссия подготовила {small} новых соглашений.",
            "В ходе переговоров лидеры также обменялись мнениями по актуальным вопросам "
            "региональной повестки, включая ситуацию в Центральной Азии и Афганистане.",
            "Следующая встреча президентов запланирована на полях саммита ОДКБ, который "
            "пройдёт осенью.",
        ),
    ),
    Family(
        section="economy",
        language="ru",
        style="tass",
        titles=(
            "Товарооборот Казахстана и России вырос на {percent}%",
            "Экспорт казахстанской продукции в Россию увеличился на {percent}%",
            "Казахстан и Россия нарастили взаимную торговлю в {ru_month}",
        ),
        paragraphs=(
            "Взаимная торговля Казахстана и России за {months} месяцев текущего года выросла на "
            "{percent}% и достигла {big} млрд долларов, сообщило бюро национальной статистики.",
            "Основу казахстанского экспорта составили металлы, зерно и продукты его переработки, "
            "а также химическая продукция. Из России в республику поставлялись машины, "
            "оборудование и продовольственные товары.",
            "Министр торговли и интеграции {person_kz} заявил, что доля расчётов в национальных "
            "валютах превысила {high}%, что снижает зависимость от курсовых колебаний.",
            "Эксперты связывают рост товарооборота с запуском новых логистических маршрутов и "
            "увеличением перевозок по железной дороге через пункт пропуска в {region} области.",
            "По прогнозу правительства, к концу года объём торговли может превысить "
            "{big2} млрд долларов.",
            "Аналитики отмечают, что казахстанский тенге за период укрепился к российскому рублю, "
            "что сделало российские товары дешевле для казахстанских импортёров.",
        ),
    ),
    Family(
        section="energy",
        language="ru",
        style="tengri",
        titles=(
            "{company} и «Росатом» обсудили поставки урана",
            "Казахстан увеличит добычу урана на {percent}%",
            "В Казахстане выбрали площадку для первой АЭС",
        ),
        paragraphs=(
            "Национальная атомная компания {company} сообщила о планах увеличить добычу урана на "
            "{percent}% в следующем году. Казахстан обеспечивает около сорока процентов мирового "
            "производства природного урана.",
            "Компания продолжает переговоры с «Росатомом» о долгосрочных поставках сырья и "
            "совместной разработке месторождений в {region} области.",
            "Напомним, строительство первой в стране атомной электростанции поддержали жители на "
            "референдуме. Станция будет возведена у села Улкен на берегу озера Балхаш.",
            "По данным министерства энергетики, потребление электроэнергии в республике ежегодно "
            "растёт на {small}–{small2}%, а дефицит мощностей на юге страны сохраняется.",
            "Глава ведомства {person_kz} заявил, что решение о консорциуме, который построит "
            "станцию, будет принято до конца года.",
            "Эксперты отмечают, что цены на уран на спотовом рынке за год выросли почти на "
            "{percent}%, что делает расширение добычи экономически оправданным.",
        ),
    ),
    Family(
        section="space",
        language="ru",
        style="ria",
        titles=(
            "С Байконура стартовала ракета «Союз-2.1а» с экипажем",
            "Казахстан и Россия обсудили будущее космодрома Байконур",
            "На Байконуре готовят к запуску новый спутник",
        ),
        paragraphs=(
            "Ракета-носитель «Союз-2.1а» с пилотируемым кораблём стартовала с космодрома "
            "Байконур. Корабль доставит экипаж на Международную космическую станцию.",
            "Старт прошёл в штатном режиме, корабль отделился от третьей ступени через "
            "{small}0 секунд полёта, сообщили в «Роскосмосе».",
            "Казахстан и Россия продолжают реализацию проекта «Байтерек», в рамках которого "
            "на космодроме модернизируют стартовый комплекс для ракеты «Союз-5».",
            "Аренда космодрома Россией продлена до 2050 года. Ежегодная арендная плата "
            "составляет 115 млн долларов.",
            "Глава аэрокосмического комитета отметил, что на Байконуре в этом году запланировано "
            "{small} пусков, включая запуск казахстанского спутника дистанционного зондирования.",
        ),
    ),
    Family(
        section="eaeu",
        language="ru",
        style="tass",
        titles=(
            "Евразийский экономический совет обсудил общий рынок электроэнергии",
            "Страны ЕАЭС согласовали правила маркировки товаров",
            "Премьеры стран ЕАЭС встретятся в {ru_city}",
        ),
        paragraphs=(
            "Главы правительств стран Евразийского экономического союза на заседании "
            "межправсовета обсудили формирование общего рынка электроэнергии и газа.",
            "Премьер-министр Казахстана Олжас Бектенов заявил, что республика выступает за "
            "устранение барьеров во взаимной торговле и гармонизацию технических регламентов.",
            "По данным Евразийской экономической комиссии, объём взаимной торговли стран союза "
            "за прошлый год вырос на {percent}% и превысил {big} млрд долларов.",
            "Участники заседания также утвердили план мероприятий по развитию кооперации в "
            "промышленности и сельском хозяйстве на ближайшие {small} лет.",
            "Следующее заседание Евразийского межправительственного совета пройдёт в {ru_city}.",
        ),
    ),
    Family(
        section="society",
        language="ru",
        style="tengri",
        titles=(
            "В {ru_city} открыли новый пункт пропуска на границе с Россией",
            "Паводки в {region} области: эвакуированы жители {small} сёл",
            "Казахстанских студентов стало больше в российских вузах",
        ),
        paragraphs=(
            "В {region} области после реконструкции открылся автомобильный пункт пропуска на "
            "казахстанско-российской границе. Его пропускная способность выросла до "
            "{big}0 автомобилей в сутки.",
            "Как сообщили в пограничной службе, на пункте установлены системы автоматического "
            "считывания номеров и весового контроля грузовиков.",
            "Ранее водители жаловались на многокилометровые очереди: время ожидания в пик сезона "
            "доходило до {small} суток.",
            "Аким области заявил, что модернизация пропускных пунктов позволит увеличить "
            "грузопоток между регионами двух стран и сократит расходы перевозчиков.",
            "Всего на границе Казахстана и России, протяжённость которой превышает семь тысяч "
            "километров, действуют более пятидесяти пунктов пропуска.",
        ),
    ),
    Family(
        section="kazakh",
        language="kk",
        style="kazinform",
        titles=(
            "Тоқаев пен Путин екіжақты ынтымақтастықты талқылады",
            "Қазақстан мен Ресей арасындағы тауар айналымы {percent} пайызға өсті",
            "{kk_city} өңіраралық ынтымақтастық форумы өтеді",
        ),
        paragraphs=(
            "Мемлекет басшысы Қасым-Жомарт Тоқаев Ресей Президенті Владимир Путинмен телефон "
            "арқылы сөйлесті. Тараптар сауда-экономикалық ынтымақтастықты дамыту мәселелерін "
            "талқылады.",
            "Ақорданың баспасөз қызметінің хабарлауынша, әңгіме барысында көлік-логистика, "
            "энергетика және ауыл шаруашылығы салаларындағы бірлескен жобалар қаралды.",
            "Биылғы жылдың {months} айында екі ел арасындағы тауар айналымы {percent} пайызға өсіп, "
            "{big} миллиард долларға жетті.",
            "Сондай-ақ тараптар күзде өтетін өңіраралық ынтымақтастық форумына дайындық "
            "барысын талқылады. Форум {kk_city} ұйымдастырылады.",
            "Президенттер жоғары деңгейдегі байланыстарды жалғастыруға уағдаласты.",
        ),
    ),
    Family(
        section="english",
        language="en",
        style="reuters",
        titles=(
            "Kazakhstan and Russia agree to expand trade in national currencies",
            "Kazakhstan's uranium output to rise {percent}% next year",
            "Kazakhstan picks consortium to build its first nuclear plant",
        ),
        paragraphs=(
            "Kazakhstan and Russia agreed on Tuesday to expand the share of trade settled in "
            "tenge and roubles, officials said after talks in {en_city}.",
            "Trade between the two neighbours rose {percent}% last year to ${big} billion, "
            "according to Kazakhstan's statistics bureau, with metals and grain leading "
            "Kazakh exports.",
            "State uranium miner Kazatomprom, the world's largest producer, said it would raise "
            "output next year as spot prices stay near multi-year highs.",
            "Kazakhstan voted in a referendum last year to build its first nuclear power plant, "
            "and officials have said Russia's Rosatom is among the companies under consideration.",
            "Analysts said closer energy ties with Moscow would have to be balanced against "
            "Astana's relations with China and Western investors.",
        ),
    ),
)


def _fill(template: str, rng: random.Random) -> str:
    values = {name: rng.choice(options) for name, options in SLOTS.items()}
    values |= {
        "percent": f"{rng.randint(3, 35)},{rng.randint(1, 9)}",
        "big": str(rng.randint(18, 29)),
        "big2": str(rng.randint(30, 34)),
        "small": str(rng.randint(2, 9)),
        "small2": str(rng.randint(10, 15)),
        "high": str(rng.randint(85, 95)),
        "months": str(rng.randint(2, 11)),
        "ru_month": rng.choice(("январе", "феврале", "марте", "апреле", "мае", "июне")),
    }
    return template.format(**values)


def _dateline(style: str, moment: datetime) -> str:
    day, month = moment.day, moment.month - 1
    return {
        "ria": f"МОСКВА, {day} {RU_MONTHS_SHORT[month]} — РИА Новости.",
        "tass": f"АСТАНА, {day} {RU_MONTHS[month]}. /ТАСС/.",
        "kazinform": "АСТАНА. KAZINFORM —",
        "tengri": "",
        "reuters": f"ASTANA, {EN_MONTHS[month]} {day} (Reuters) -",
    }[style]


def build_article(index: int, published: datetime) -> SiteArticle:
    """Article number `index` of the site, the same in every run."""
    rng = random.Random(index * 7919 + 17)
    family = FAMILIES[index % len(FAMILIES)]
    count = rng.randint(4, len(family.paragraphs))
    picked = [family.paragraphs[0], *rng.sample(family.paragraphs[1:], count - 1)]
    paragraphs = tuple(_fill(template, rng) for template in picked)
    # A sentence of its own keeps every generated article's text unique.
    tail = {
        "ru": f"Материал подготовлен редакцией, выпуск № {index + 1}.",
        "kk": f"Материалды редакция әзірледі, шығарылым № {index + 1}.",
        "en": f"This is report number {index + 1} of the series.",
    }[family.language]
    title = _fill(rng.choice(family.titles), rng)
    caption_by_language = {
        "ru": f"Фото: пресс-служба Акорды / {rng.choice(SLOTS['person_kz'])}",
        "kk": "Фото: Ақорда",
        "en": "Photo: Reuters / Pavel Mikheyev",
    }
    authors = {"ru": "Анна Смирнова", "kk": "Айгерім Сәрсенова", "en": "Olzhas Auyezov"}
    return SiteArticle(
        index=index,
        slug=f"{published:%Y%m%d}-{index:05d}",
        section=family.section,
        language=family.language,
        style=family.style,
        title=title,
        dateline=_dateline(family.style, published),
        paragraphs=(*paragraphs, tail),
        published=published,
        author=authors[family.language] if rng.random() < 0.7 else None,
        caption=caption_by_language[family.language],
        views=rng.randint(150, 98000),
    )


def build_articles(count: int, newest: datetime | None = None) -> list[SiteArticle]:
    """`count` articles, newest first, seven minutes apart, the newest at `newest`."""
    top = (newest or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    return [build_article(index, top - timedelta(minutes=7 * index)) for index in range(count)]


# Hand-written articles (the labelled topic corpus), for a site whose news reads true end
# to end: the demo shows these, while tests and benchmarks use the generated ones above.
WRITTEN_CORPUS = Path(__file__).resolve().parent / "corpus"
_SECTION_BY_TOPIC = (
    ("energy-uranium", "energy"),
    ("baikonur-space", "space"),
    ("eaeu", "eaeu"),
    ("kazakhstan-economy", "economy"),
)


def _written_section(language: str, topics: list[str]) -> str:
    if language == "kk":
        return "kazakh"
    if language == "en":
        return "english"
    return next((section for topic, section in _SECTION_BY_TOPIC if topic in topics), "politics")


def written_articles(
    per_language: dict[str, int], newest: datetime | None = None, corpus: Path = WRITTEN_CORPUS
) -> list[SiteArticle]:
    """The first `per_language[lang]` hand-written articles of each language, newest first,
    seven minutes apart, laid out on the page in the style of the section's outlet."""
    styles = {family.section: family.style for family in FAMILIES}
    picked: list[tuple[str, dict[str, Any]]] = []
    for language, count in per_language.items():
        data = tomllib.loads((corpus / f"{language}.toml").read_text(encoding="utf-8"))
        picked.extend((language, entry) for entry in data["articles"][:count])
    # Interleave the languages so that every feed has fresh news.
    picked.sort(key=lambda item: int(item[1]["id"].rsplit("-", 1)[1]))
    top = (newest or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    articles = []
    for index, (language, entry) in enumerate(picked):
        published = top - timedelta(minutes=7 * index)
        section = _written_section(language, list(entry.get("topics", [])))
        paragraphs = tuple(p.strip() for p in entry["text"].split("\n\n") if p.strip())
        articles.append(
            SiteArticle(
                index=index,
                slug=f"{published:%Y%m%d}-{entry['id']}",
                section=section,
                language=language,
                style=styles[section],
                title=entry["title"],
                dateline=_dateline(styles[section], published),
                paragraphs=paragraphs,
                published=published,
                author=None,
                caption={"ru": "Фото: пресс-служба", "kk": "Фото: Ақорда"}.get(
                    language, "Photo: Reuters"
                ),
                views=1000 + 37 * index,
            )
        )
    return articles
