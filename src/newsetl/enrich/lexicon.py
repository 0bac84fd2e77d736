"""Closed word lists the rule-based enrichment relies on.

Kept apart from the rules so a reviewer can see (and extend) the vocabulary
without reading regexes, and so each rule module stays short. Everything here
is plain data: frozensets of lower-cased words unless noted.
"""

from __future__ import annotations


def _words(block: str) -> frozenset[str]:
    """The whitespace-separated words of a block, so lists read like prose."""
    return frozenset(block.split())


# Verbs that introduce or close a direct quotation ("he cautioned").
REPORTING_VERBS = _words(
    """
    said says say saying told tells tell added adds adding asked asks wrote writes
    cautioned cautions warned warns stressed stresses explained explains noted notes
    argued argues insisted insists claimed claims declared declares stated states
    continued continues replied replies responded responds recalled recalls
    acknowledged acknowledges admitted admits conceded concedes suggested suggests
    urged urges tweeted tweets posted posts announced announces reported reports
    observed observes remarked remarks commented comments concluded concludes
    emphasized emphasizes emphasised emphasises predicted predicts promised promises
    vowed vows pledged pledges complained complains lamented laments joked jokes
    quipped quips testified testifies begged begs pleaded pleads demanded demands
    countered counters shouted shouts yelled yells whispered whispers recounted
    recounts maintained maintains contended contends asserted asserts affirmed
    affirms confirmed confirms denied denies agreed agrees wondered wonders mused
    muses boasted boasts acknowledged described describes reiterated reiterates
    charged charges accused accuses alleged alleges assured assures answered
    answers advised advises informed informs reminded reminds retorted retorts
    conceded sighed explained summed opined warning saying noting insisting arguing
    adding calling called calls dubbed branded blasted slammed hailed praised
    criticised criticized condemned labelled labeled termed chimed uttered utters
    clarified clarifies
    """
)

# Words that, written before a name, make it a person and are not part of it.
PERSON_TITLES = _words(
    """
    mr mrs ms miss mx dr prof sir dame lord lady sen rep gov gen col lt capt sgt adm
    rev fr st judge justice president vice prime minister secretary chancellor
    ambassador senator representative congressman congresswoman governor mayor
    king queen prince princess pope sheikh emir ayatollah general colonel lieutenant
    captain sergeant admiral chairman chairwoman chair director commissioner speaker
    leader chief officer executive ceo cfo coo deputy assistant attorney coach
    detective inspector sheriff councillor councilman councilwoman spokesman
    spokeswoman spokesperson adviser advisor counsel foreign defense defence
    interior finance energy health trade economy education agriculture former acting
    premier high president-elect secretary-general undersecretary under-secretary
    vice-president envoy diplomat superintendent professor doctor pastor bishop
    cardinal archbishop rabbi imam father sister brother commander marshal
    state datuk dato datin tun tunku tengku seri haji
    manager founder co-founder cofounder chairperson editor duke duchess earl baron baroness
    countess defendant plaintiff
    """
)

# English titles of local and legal offices, written before a name ("Supervisor Alfredo
# Pedroza", "Assemblywoman Jane Doe"): used by the English rules only, so the titles list
# the other languages share stays as it is.
OFFICE_TITLES = _words(
    """
    supervisor trustee alderman alderwoman councilmember assemblyman
    assemblywoman assemblymember delegate comptroller treasurer coroner magistrate trooper
    prosecutor honourable honorable hon sultan
    """
)

# Any of these in a capitalised run marks it as an organisation name.
ORG_KEYWORDS = _words(
    """
    union nations assembly council committee commission ministry ministries
    department agency bureau office party parliament congress senate house court
    bank fund institute institutes institution university college school academy hospital
    clinic centre center association federation organization organisation
    foundation corporation corp inc ltd llc plc co company group holdings airlines
    airways records police army navy forces force guard church times post news
    journal herald tribune gazette press network broadcasting television radio
    magazine service services authority board cabinet administration kremlin
    pentagon commonwealth alliance coalition league club society trust reserve
    exchange partners motors industries technologies labs laboratories
    studios pictures entertainment media telegraph guardian observer review
    channel institute ministry secretariat directorate tribunal productions robotics
    aerospace machines systems solutions dynamics initiative studies affairs
    """
)

# Nouns heading a non-person quote source ("the document said").
DOCUMENT_NOUNS = _words(
    """
    document message statement letter report release memo memorandum filing
    complaint lawsuit post tweet email e-mail note announcement communique
    communiqué study ruling order decree transcript summary notice text
    declaration resolution survey paper analysis indictment affidavit motion
    petition proposal plan website blog article editorial video
    """
)

# Nouns heading an organisation or an unnamed spokesperson as quote source.
ORG_NOUNS = _words(
    """
    ministry government company department agency office police court council
    committee embassy army military party union firm bank group commission
    administration authorities authority campaign spokesman spokeswoman
    spokesperson spokespeople officials official prosecutors regulator regulators
    organisation organization board team club league federation association
    center centre institute service bureau network newspaper outlet channel
    """
)

# Nouns heading a source that is described but not named ("an insider", "the study
# authors", "Swift's rep", "a spokesperson"): the speaker is kept as written, kind 'unnamed'.
UNNAMED_NOUNS = _words(
    """
    insider insiders source sources spokesman spokeswoman spokesperson spokespeople rep
    reps aide aides author authors researcher researchers witness witnesses resident
    residents analyst analysts expert experts friend friends relative relatives neighbour
    neighbours neighbor neighbors employee employees worker workers staffer staffers
    member members fan fans critic critics observer observers investigator investigators
    insider whistleblower whistle-blower survivor survivors victim victims
    user users commenter commenters viewer viewers reader readers voice voices
    spokesmen spokeswomen onlooker onlookers bystander bystanders lawmakers legislators
    passenger passengers protester protesters activist activists person someone somebody
    caller callers attendee attendees dispatcher dispatchers officer officers firefighter
    firefighters paramedic paramedics
    """
)

# Singular nouns of a role that, after "the" and with no name of its own, point back at
# the person just named in that role ("Communications Minister Fahmi Fadzil said ... the
# government spokesman said"): `quotes` resolves them to that person.
ROLE_NOUNS = _words(
    """
    senator governor minister spokesman spokeswoman spokesperson president chairman
    chairwoman director commissioner secretary ambassador mayor congressman congresswoman
    representative lawmaker chancellor premier lawyer attorney prosecutor judge coach
    manager captain singer guitarist drummer actor actress author novelist writer
    founder executive ceo economist analyst professor scientist researcher official mp
    """
)

PRONOUNS = frozenset({"he", "she"})

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3,
    "april": 4, "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7,
    "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9, "october": 10,
    "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip

WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
    "saturday": 5, "sunday": 6,
}  # fmt: skip

# Abbreviations whose trailing period does not end a sentence.
ABBREVIATIONS = _words(
    """
    mr mrs ms dr prof gen sen rep gov lt col sgt capt adm rev fr st jr sr inc corp
    co ltd no vs jan feb mar apr jun jul aug sep sept oct nov dec mt ft pres gov
    dept est approx e.g i.e u.s u.k u.n a.m p.m
    """
)

# Capitalised words that begin sentences or headings but never name anything.
STOPWORDS = _words(
    """
    a an the this that these those there here it its i we you they he she his her
    their our my your in on at of for to from by with as and or but if when while
    after before since until during because although though so also then however
    yet not no yes all some any many most more each every both either neither
    what which who whom whose where why how mr mrs ms dr according said says
    meanwhile still now today yesterday tomorrow tonight last next first second
    third one two three four five six seven eight nine ten photo image video
    read watch related advertisement click share follow subscribe sign update
    editor note breaking live exclusive opinion analysis just even only such
    other another new god analysts officials experts critics residents witnesses
    investigators prosecutors police observers sources authorities diplomats
    lawmakers researchers scientists doctors protesters later earlier instead
    finally eventually recently currently previously indeed perhaps again once
    despite among amid without within under over through against between
    here's there's it's that's what's hey hi hello oh wow dear thanks please
    out up down off away back everyone everybody someone somebody nobody anyone anybody
    whether unlike like make let recent mostly summary correction
    """
)

# Adjectives and plural nouns of nationality, region or party: never places.
DEMONYMS = _words(
    """
    afghan albanian algerian american andorran angolan argentine argentinian
    armenian australian austrian azerbaijani azeri bahamian bahraini bangladeshi
    barbadian belarusian belgian belizean beninese bhutanese bolivian bosnian
    brazilian british briton bruneian bulgarian burkinabe burmese burundian
    cambodian cameroonian canadian chadian chilean chinese colombian congolese
    costa croatian cuban cypriot czech danish djiboutian dominican dutch
    costa rican ecuadorian egyptian emirati english eritrean estonian ethiopian fijian filipino
    finnish french gabonese gambian georgian german ghanaian greek grenadian
    guatemalan guinean guyanese haitian honduran hungarian icelandic indian
    indonesian iranian iraqi irish israeli italian ivorian jamaican japanese
    jordanian kazakh kazakhstani kenyan korean kosovar kuwaiti kyrgyz laotian
    latvian lebanese liberian libyan lithuanian luxembourgish macedonian malagasy
    malawian malaysian maldivian malian maltese mauritanian mauritian mexican
    moldovan monegasque mongolian montenegrin moroccan mozambican namibian nepalese
    nepali nicaraguan nigerian nigerien norwegian omani pakistani palestinian
    panamanian paraguayan persian peruvian polish portuguese qatari romanian
    russian rwandan salvadoran samoan saudi scottish senegalese serbian
    seychellois singaporean slovak slovakian slovenian somali sudanese
    spanish swazi swedish swiss syrian taiwanese tajik tanzanian thai
    tibetan togolese tongan trinidadian tunisian turkish turkmen ugandan ukrainian
    uruguayan uzbek venezuelan vietnamese welsh yemeni zambian zimbabwean
    african asian european latin arab arabic hispanic caribbean nordic
    scandinavian slavic baltic balkan soviet western eastern northern southern
    middle central pacific atlantic mediterranean transatlantic sino kurdish
    catalan basque crimean chechen flemish bavarian texan californian
    republican republicans democrat democrats democratic conservative conservatives
    liberal liberals labour socialist socialists communist communists
    christian christians muslim muslims jewish jews catholic catholics
    protestant sunni shia shiite hindu buddhist islamic islamist evangelical
    americans russians britons ukrainians chinese venezuelans cubans europeans
    africans asians germans israelis palestinians iranians iraqis syrians
    afghans pakistanis indians mexicans canadians australians koreans
    japanese italians spaniards poles turks kurds arabs saudis egyptians
    """
)

# Country-level aliases that gazetteers spell differently or do not carry.
PLACE_ALIASES = {
    "U.S.": "United States", "US": "United States", "USA": "United States",
    "U.S.A.": "United States", "America": "United States",
    "United States of America": "United States",
    "UK": "United Kingdom", "U.K.": "United Kingdom", "Britain": "United Kingdom",
    "Great Britain": "United Kingdom", "Holland": "Netherlands",
    "The Netherlands": "Netherlands", "Czech Republic": "Czechia",
    "Burma": "Myanmar", "Russian Federation": "Russia", "UAE": "United Arab Emirates",
    "DRC": "Democratic Republic of the Congo", "Ivory Coast": "Ivory Coast",
    "Côte d'Ivoire": "Ivory Coast", "Viet Nam": "Vietnam", "Syrian Arab Republic": "Syria",
    "Republic of Korea": "South Korea", "Korea": "South Korea",
    "Vatican City": "Vatican", "Timor-Leste": "Timor Leste", "East Timor": "Timor Leste",
}  # fmt: skip

# Regions and sub-national places often named in news but absent from country
# and city lists.
EXTRA_PLACES = frozenset(
    {
        "Europe",
        "Asia",
        "Africa",
        "North America",
        "South America",
        "Latin America",
        "Central America",
        "Oceania",
        "Antarctica",
        "Arctic",
        "Middle East",
        "Near East",
        "Far East",
        "Caribbean",
        "Balkans",
        "Caucasus",
        "Scandinavia",
        "Siberia",
        "Crimea",
        "Donbas",
        "Donbass",
        "Gaza",
        "Gaza Strip",
        "West Bank",
        "Golan Heights",
        "Kashmir",
        "Tibet",
        "Xinjiang",
        "Catalonia",
        "Kurdistan",
        "Sahel",
        "Sahara",
        "Persian Gulf",
        "Scotland",
        "England",
        "Wales",
        "Northern Ireland",
        "Bavaria",
        "Quebec",
        "Ontario",
        "British Columbia",
        "Alberta",
        # provinces and states the city lists lack ("Nova Scotia" read as a person)
        "Nova Scotia",
        "New Brunswick",
        "Manitoba",
        "Saskatchewan",
        "Newfoundland",
        "Newfoundland and Labrador",
        "Prince Edward Island",
        "Yukon",
        "Nunavut",
        "Northwest Territories",
        "Queensland",
        "New South Wales",
        "Tasmania",
        "Western Australia",
        "South Australia",
        "Northern Territory",
        "Madhya Pradesh",
        "Uttar Pradesh",
        "Andhra Pradesh",
        "Maharashtra",
        "Kerala",
        "Tamil Nadu",
        "Gujarat",
        "Rajasthan",
        "Bihar",
        "West Bengal",
        "Karnataka",
        "Telangana",
        "Odisha",
        "Sindh",
        "Khyber Pakhtunkhwa",
        "Balochistan",
        "Mindanao",
        "Luzon",
        "Borneo",
        "Sumatra",
        "Punjab",
        "Sinai",
        "Chechnya",
        "Silicon Valley",
        "Wall Street",
        "Hong Kong",
        "Taiwan",
        "Macau",
    }
)


# ---------------------------------------------------------------- other languages
# Used by `multiquotes` for articles in German, French and Spanish (ISO 639-1 keys).

# Reporting verbs (present, past, participle), written after a quotation
# („...“, sagt Dawidowski / «...», a affirmé le ministre / "...", dijo Horner)
# or before a colon that introduces one (X beteuerte: „...“).
REPORTING_VERBS_BY_LANGUAGE = {
    "de": _words(
        """
        sagt sagte sagten sagen sagst gesagt erklärt erklärte erklärten erklären erklärt
        betont betonte betonten meint meinte meinten schreibt schrieb schrieben twittert
        twitterte beteuert beteuerte fordert forderte forderten warnt warnte warnten
        kritisiert kritisierte berichtet berichtete antwortet antwortete ergänzt ergänzte
        erläutert erläuterte fügt fügte räumt räumte zitiert zitierte
        rief riefen ruft rufen so versichert versicherte bekräftigt bekräftigte
        mahnt mahnte unterstreicht unterstrich kommentiert
        kommentierte begründet begründete argumentiert argumentierte klagt klagte
        bestätigt bestätigte verspricht versprach betonte erzählt erzählte
        """
    ),
    "fr": _words(
        """
        dit déclare déclaré affirme affirmé explique expliqué indique indiqué précise
        précisé souligne souligné ajoute ajouté estime estimé assure assuré rapporte
        rapporté prévient prévenu écrit raconte raconté note noté relève relevé confie
        confié admet admis reconnaît reconnu martèle martelé insiste insisté poursuit
        poursuivi lance lancé averti avertit commente commenté répond répondu conclut
        conclu regrette regretté dénonce dénoncé annonce annoncé rappelle rappelé
        observe observé juge jugé tranche tranché promet promis plaide plaidé résume
        résumé détaille détaillé interroge interrogé s'interroge s'exclame affirment
        estiment expliquent déclarent assurent soulignent
        """
    ),
    "es": _words(
        """
        dice dijo dicho afirma afirmó afirmado asegura aseguró asegurado explica explicó
        explicado declara declaró declarado comenta comentó añade añadió agrega agregó
        señala señaló indica indicó apunta apuntó recalca recalcó destaca destacó
        insiste insistió sostiene sostuvo subraya subrayó confiesa confesó zanja zanjó
        espeta espetó rememora rememoró ironiza ironizó desliza deslizó abunda abundó
        replica replicó responde respondió contesta contestó advierte advirtió
        reconoce reconoció lamenta lamentó denuncia denunció critica criticó
        manifiesta manifestó relata relató cuenta contó concluye concluyó precisa precisó
        admite admitió sentencia sentenció resume resumió escribió escribe coincide
        coincidió aseguran afirman explican dicen señalan denuncian reclaman insisten
        """
    ),
}

# Auxiliaries that may stand between a quotation and its verb ("«...», a affirmé X").
REPORTING_AUXILIARIES = frozenset({"a", "ont", "avait", "hat", "hatte", "ha", "había", "han"})

# Subject pronouns that name the previous speaker ("déclare-t-il", "sagt er").
PRONOUNS_BY_LANGUAGE = {
    "de": frozenset({"er", "sie"}),
    "fr": frozenset({"il", "elle", "t-il", "t-elle"}),
    "es": frozenset({"él", "ella"}),
}

# Articles and determiners that open a noun phrase: a speaker phrase opening with one is
# a description ("der Leseforscher", "une vecina", "le ministère"), not a name.
DETERMINERS_BY_LANGUAGE = {
    "de": _words("der die das den dem des ein eine einer einem einen eines dieser diese "
                 "dieses jener seine sein ihr ihre mehrere einige viele"),
    "fr": _words("le la les l' un une des ce cet cette ces son sa ses leur leurs du"),
    "es": _words("el la los las lo un una unos unas este esta estos estas ese esa su sus del"),
}

# Particles and connectors that may stand inside a person's name ("Mohammed Ben Sulayem",
# "Augustin Tran Van Chau", "Beatriz Guijarro González").
NAME_INNER_WORDS = frozenset({"ben", "bin", "van", "von", "de", "del", "la", "da", "dos", "di"})

# Words before a quotation in its sentence that make it a slogan, not a statement: written on
# a sign or a banner, or chanted by a crowd. Such a quotation has no speaker and is left out.
SLOGAN_CUES = _words(
    """
    signs placard placards banner banners chant chants chanted chanting slogan slogans
    graffiti t-shirt t-shirts
    schild schilder schildern plakat plakate plakaten transparent transparente transparenten
    banner bannern skandiert skandierten skandierte skandieren sprechchöre sprechchören parole
    parolen aufschrift
    pancarte pancartes banderole banderoles scandé scandaient scandent slogan slogans
    affiche affiches
    pancarta pancartas cartel carteles coreaban corearon coreaba corean consigna consignas
    lema lemas pintada pintadas
    """
)

# Institution nouns (de, fr, es): a described quote source headed by one is an organisation.
INSTITUTION_NOUNS = _words(
    """
    ministerium regierung polizei behörde behörden verband partei gericht kommission
    unternehmen konzern stadt gemeinde verwaltung ministère gouvernement police parquet
    tribunal commission entreprise groupe mairie préfecture association ministerio gobierno
    policía ayuntamiento tribunal comisión empresa asociación plataforma partido
    """
)


# US states as news writes them after a place or a party letter: AP abbreviations
# ("Palo Alto, Calif.", "(D., Conn.)") and postal codes ("Tampa, FL"). Alone they are
# places, never organisations.
US_STATE_ABBREVIATIONS = {
    "Ala": "Alabama", "Ariz": "Arizona", "Ark": "Arkansas", "Calif": "California",
    "Colo": "Colorado", "Conn": "Connecticut", "Del": "Delaware", "Fla": "Florida",
    "Ga": "Georgia", "Ill": "Illinois", "Ind": "Indiana", "Kan": "Kansas", "Kans": "Kansas",
    "Ky": "Kentucky", "La": "Louisiana", "Md": "Maryland", "Mass": "Massachusetts",
    "Mich": "Michigan", "Minn": "Minnesota", "Miss": "Mississippi", "Mo": "Missouri",
    "Mont": "Montana", "Neb": "Nebraska", "Nev": "Nevada", "N.H": "New Hampshire",
    "N.J": "New Jersey", "N.M": "New Mexico", "N.Y": "New York", "N.C": "North Carolina",
    "N.D": "North Dakota", "Okla": "Oklahoma", "Ore": "Oregon", "Pa": "Pennsylvania",
    "R.I": "Rhode Island", "S.C": "South Carolina", "S.D": "South Dakota", "Tenn": "Tennessee",
    "Tex": "Texas", "Vt": "Vermont", "Va": "Virginia", "Wash": "Washington",
    "W.Va": "West Virginia", "Wis": "Wisconsin", "Wyo": "Wyoming",
}  # fmt: skip
US_POSTAL_CODES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa",
    "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi",
    "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire",
    "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "DC": "Washington, D.C.",
    "ON": "Ontario", "QC": "Quebec", "BC": "British Columbia", "AB": "Alberta",
}  # fmt: skip

# Last words of the names of buildings, venues, streets and landscape features: a run
# ending in one ("Bridgestone Arena", "Saratoga Springs", "Toulouse Street") names a
# place, not a person, unless it begins with a known given name ("Fiona Hill").
FACILITY_NOUNS = _words(
    """
    arena pavilion amphitheatre amphitheater theatre theater center centre stadium
    park street avenue road lane boulevard drive falls springs view hill hills valley
    estate suites hotel motel beach bridge lake river square tower towers island islands
    bay county creek heights gardens village mall plaza station airport harbour harbor
    auditorium field fields casino resort ranch farm forest canyon mountain mountains
    hall belt sea seas ocean strait gulf coast peninsula desert glacier meadows cottage
    lounge terminal terminals mainland cabin cabins lodge stand parkway
    """
)
# Last words of venues: a run holding one past its first word names a building
# ("Ameris Bank Amphitheatre", "Budweiser Stage"), whatever company or person it honours.
VENUE_NOUNS = _words(
    "amphitheatre amphitheater arena pavilion stadium auditorium theatre theater stage ballpark"
)
COMPASS_WORDS = _words(
    "north south east west northern southern eastern western central inner outer upper lower"
)

# Plural last words of the names of groups of people: bands ("The Doobie Brothers", "Goo Goo
# Dolls"), teams, campaign groups ("Safeguard Defenders"). A run ending in one names a group,
# an organisation, not one person (a family name in -s, "Tiger Woods", is not listed).
GROUP_PLURALS = _words(
    """
    brothers sisters dolls boys girls kids singers players defenders brethren
    allstars all-stars rangers warriors raiders lions tigers bears giants saints
    """
)
# Last words of the names of events, awards and documents: a tour, a final, a prize, a law
# ("50th Anniversary Tour", "Davis Cup Finals", "Paley Honors", "Autumn Statement", "Logan
# Act") is neither a person nor an organisation.
EVENT_NOUNS = _words(
    """
    tour tours festival fest finals final cup championship championships games olympics
    paralympics summit conference expo fair show awards prize marathon derby open series
    tournament playoffs week weekend war wars day award honors honours medal trophy
    statement report act bill amendment treaty accord agreement declaration review census
    budget doctrine
    """
)
# Lower-case nouns of an administrative area: a capitalised run right before one ("Kowloon
# West district", "Lindi region") names that area, not a person.
AREA_NOUNS = _words(
    """
    district districts province provinces region regions county counties prefecture state
    municipality neighbourhood neighborhood suburb township constituency ward parish
    """
)
# Lower-case nouns of things that a capitalised run right before them names: a vehicle, a
# device, a work, an event ("its Dream Chaser vehicle", "the Blue Moon lander", "the Galaxy
# phone", "its annual Camp Strava event").
PRODUCT_NOUNS = _words(
    """
    vehicle vehicles spacecraft rocket rockets lander landers rover satellite satellites
    capsule app apps phone phones smartphone device devices console car cars truck jet jets
    aircraft plane planes drone drones album song film movie book novel podcast video game
    brand model platform software chip chips engine engines missile missiles system vaccine
    drug pill keyboard mouse headphones earbuds speaker speakers laptop tablet watch camera
    event events feature features mode
    """
)
# Words of a product line ("AirPods Pro", "Switch Lite", "iPhone 11 Pro Max", "Echo Dot"): a
# run holding one after its first word names a product, not a person.
PRODUCT_LINE_WORDS = _words("pro max mini lite plus ultra edition deluxe premium xl dot buds")
# Nouns of a kind of person: after a place they make a type ("Florida Man"), not a name.
GENERIC_PERSON_NOUNS = _words("man woman men women boy girl guy teen mom dad family kid")
# Organisation keywords that name one particular body when written alone ("Congress",
# "Parliament", "the Kremlin"); any other keyword alone ("Group A", "the Trust", "Forces")
# names no organisation unless the article gives it in full ("the Times").
SINGULAR_INSTITUTIONS = _words(
    """
    congress parliament senate house kremlin pentagon cabinet commonwealth
    """
)
# Roles, technical and financial terms, units, time zones and currencies written in
# capitals: no organisation ("the company's CTO", "an IPO", "an SSD", "10 a.m. AEST"). Case kept.
NON_ORG_ACRONYMS = _words(
    """
    CEO CFO CTO COO CMO CIO CPO CRO CSO SVP EVP VP MP MPS QC OBE MBE CBE IPO CPI EBITDA ROI
    KPI ICU CCTV
    LED OLED LCD HVAC AWD RWD GPU CPU SSD HDD RAM USB HDMI VPN RGB IPS NAS ECG EKG MRI PCOS
    IRA PAC ASAP IOU ETA FYI DIY ISSN ISBN AEST AEDT EST EDT PST PDT CST CDT CET BST IST
    API URL HTML PDF EV ATM VAT GST NGO RPM CPM CTR SDG UFO LGBT LGBTQ HR IT
    USD EUR GBP JPY CNY RMB INR CAD AUD CHF SGD HKD NZD KRW MXN BRL ZAR
    """
)
# Two-letter acronyms that name an organisation with no definition in the text. Any
# other two capitals ("SD", "LN", "BB") stand for a state, a ticker or a cut-off word
# unless the article spells them out ("Live Nation (LN)") or names the organisation's
# initials.
KNOWN_SHORT_ORGS = frozenset({"UN", "EU", "AP", "BP", "GM", "HP", "FA", "BA"})
# Last words of the names of firms, desks and programmes that are not legal forms: a
# capitalised run ending in one ("Capital Economics", "Rosenberg Research", "Take-Two
# Interactive", "Kotak Institutional Equities") names a business or a scheme, never a person.
BUSINESS_LAST_WORDS = _words(
    """
    economics research properties equities securities interactive works design designs
    sports program programme programs unit consulting consultants advisors advisers
    ventures capital brands foods pharmaceuticals therapeutics insurance investments
    management markets analytics logistics realty estates experience project
    """
)
# Last words of the names of natural features and counties: a run ending in one ("Orange
# County", "Arctic Ocean", "Great Lakes") names a place, not an organisation.
GEOGRAPHIC_LAST_WORDS = _words(
    """
    county counties ocean oceans sea seas bay island islands lake lakes river rivers
    mountain mountains coast peninsula desert glacier strait gulf valley canyon creek
    himalaya himalayas
    """
)
