"""Substance classes, assigned from structure (Django-free).

Each structural class is defined by SMARTS patterns: a structure belongs when it matches any of them and
none of the class's exclusions. On top of the patterns, every class has listed members: the shipped
reference substances marked with the class (``data/reference/*.csv``, column ``expected_class``). That is
how the classes that are not structural families (precursors, adulterants, plant-based substances, some
sedatives and stimulants) are assigned, and how the few pharmacological exceptions to a structural rule
(a prodrug such as lisdexamfetamine, the opioid mitragynine) are kept. A listed member matches by skeleton
(the InChIKey's first block, so every salt, stereo form and charge state belongs) when it is listed without
stereochemistry, and by its full InChIKey when it is a defined stereoisomer (cathine, not every
norephedrine, is from khat).
A substance can be in several classes. The rules are documented here and in ``docs/en/substances.md``;
``test_classes`` checks them against every shipped reference substance.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

from rdkit import Chem

from fdx.substances.chem import skeleton_key


@dataclass(frozen=True)
class SubstanceClassRule:
    code: str
    name_en: str
    name_ru: str
    description: str
    smarts: tuple[str, ...] = ()
    exclude_smarts: tuple[str, ...] = ()
    #: "structural": the patterns define the class (listed members only for documented exceptions);
    #: "mixed": patterns for the structural families, listed members for the rest; "listed": members only.
    kind: str = "structural"

    @cached_property
    def patterns(self) -> tuple[Chem.Mol, ...]:
        return tuple(_compile(pattern) for pattern in self.smarts)

    @cached_property
    def exclusions(self) -> tuple[Chem.Mol, ...]:
        return tuple(_compile(pattern) for pattern in self.exclude_smarts)

    def matches(self, mol: Chem.Mol) -> bool:
        if not any(mol.HasSubstructMatch(pattern) for pattern in self.patterns):
            return False
        return not any(mol.HasSubstructMatch(pattern) for pattern in self.exclusions)


def _compile(smarts: str) -> Chem.Mol:
    pattern = Chem.MolFromSmarts(smarts)
    if pattern is None:
        raise ValueError(f"invalid SMARTS in a class rule: {smarts}")
    return pattern


AMINE = "[NX3;!$(N-C=O);!$(N-S(=O)=O);!$(N-[N+](=O)[O-])]"
INDOL_3_YL = "c1c[nX3]c2ccccc12"
#: a 4-anilidopiperidine with a substituted ring nitrogen (the fentanyl skeleton)
FENTANYL_SMARTS = "[CX3](=O)[NX3](a)[CX4]1[CX4][CX4][NX3;!H1][CX4][CX4]1"
#: the ergoline ring system, with or without the 9,10 double bond
LYSERGAMIDE_SMARTS = (
    "c12cccc3[nX3]cc(c13)CC1[#7]C[#6]~[#6]C1=2",
    "c12cccc3[nX3]cc(c13)CC1[#7]C[#6]~[#6]~[#6]12",
)

RULES: tuple[SubstanceClassRule, ...] = (
    SubstanceClassRule(
        "amphetamines",
        "Amphetamines",
        "Амфетамины",
        "An aryl-CH2-C(α-methyl or α-ethyl)-amine: amphetamine, methamphetamine, MDA, MDMA, MBDB, PMA, DOx, "
        "phentermine, the benzofurans, methiopropamine; not the tryptamines (indol-3-yl).",
        smarts=(f"[a][CH2][CX4;H1,H0]([CH3,$([CH2][CH3])]){AMINE}",),
        exclude_smarts=(f"[CH2]({INDOL_3_YL})", FENTANYL_SMARTS),
    ),
    SubstanceClassRule(
        "cathinones",
        "Synthetic cathinones",
        "Синтетические катиноны",
        "A β-keto phenethylamine: an aryl ketone with an amine on the α-carbon (methcathinone, mephedrone, "
        "α-PVP, MDPV).",
        smarts=(f"[a][CX3](=O)[CX4]{AMINE}",),
    ),
    SubstanceClassRule(
        "phenethylamines",
        "Phenethylamines (2C, DOx, NBOMe, mescaline)",
        "Фенилэтиламины (2C, DOx, NBOMe, мескалин)",
        "An open-chain 2,5-dialkoxy-phenethylamine (the 2C, DOx and NBOMe series, the FLY and dragonfly benzodifurans) or "
        "a 3,4,5-trialkoxy-phenethylamine (mescaline, escaline, proscaline, TMA, MMDA).",
        smarts=(
            f"[#8X2;!H1]c1cc([CX4;!R][CX4;!R]{AMINE})c([#8X2;!H1])cc1",
            f"[#8X2;!H1]c1cc([CX4;!R][CX4;!R]{AMINE})cc([#8X2;!H1])c1[#8X2;!H1]",
        ),
    ),
    SubstanceClassRule(
        "synthetic_cannabinoids",
        "Synthetic cannabinoid receptor agonists",
        "Синтетические каннабиноиды",
        "An N1-substituted indole, indazole or azaindole carrying a carbonyl at C3 (naphthoyl-, "
        "tetramethylcyclopropyl-, carboxamide and ester series); a tail-less indazole-3-carboxamide of an "
        "amino acid (ADB-INACA); an N-substituted γ-carbolinone (the -PEGACLONE series); or a phenol with a "
        "1,1-dimethylheptyl or -octyl chain meta to the hydroxyl (CP 47,497, HU-210, nabilone).",
        smarts=(
            "[#6;!$([#6]=O)]-[nX3]1:[c,n]:c(-[CX3]=O):c2:c:1:[c,n]:[c,n]:[c,n]:[c,n]:2",
            "[nX3]1[nX2]c(C(=O)[NX3][CX4][CX3](=O)[NX3,OX2])c2ccccc12",
            "O=[#6]1[#7]([#6])[#6]~[#6][#6]2~[#7]([#6])~[#6]3~[#6]~[#6]~[#6]~[#6]~[#6]~3~[#6]~2~1",
            "[OX2]c:c:c-[CX4]([CH3])([CH3])[CH2][CH2][CH2][CH2][CH2]",
        ),
    ),
    SubstanceClassRule(
        "fentanyl_analogues",
        "Fentanyl analogues",
        "Аналоги фентанила",
        "A 4-anilidopiperidine with a substituted ring nitrogen: N-aryl-N-(piperidin-4-yl)amides such as "
        "fentanyl, carfentanil and their analogues (not the N-H norfentanyl, a precursor).",
        smarts=(FENTANYL_SMARTS,),
    ),
    SubstanceClassRule(
        "nitazenes",
        "Nitazenes (2-benzylbenzimidazole opioids)",
        "Нитазены (2-бензилбензимидазольные опиоиды)",
        "A 2-benzylbenzimidazole with an aminoethyl group on N1 (etonitazene, isotonitazene, metonitazene, "
        "the -pyne and -desnitazene variants).",
        smarts=(f"c1ccc2c(c1)nc([CH2]c1ccccc1)n2[CX4][CX4]{AMINE}",),
    ),
    SubstanceClassRule(
        "opioids",
        "Opioids",
        "Опиоиды",
        "Morphinans and 4,5-epoxymorphinans (including dextromethorphan, which shares the skeleton), "
        "oripavines, fentanyl analogues, nitazenes, the methadone, "
        "pethidine, prodine, ketobemidone, dextropropoxyphene, piritramide, tramadol, tapentadol and tilidine "
        "families, the U-series benzamides and arylacetamides, AH-7921, MT-45, brorphine and the "
        "cinnamylpiperazines (AP-237).",
        smarts=(
            # morphinan skeleton (morphine, codeine, heroin, oxycodone, buprenorphine, levorphanol …)
            "[#6]1~[#6]~[#6]~[#6]23~[#6]~[#6]~[#7]~[#6](~[#6]~2~[#6]~1)~[#6]~c1ccccc~1~3",
            FENTANYL_SMARTS,
            f"c1ccc2c(c1)nc([CH2]c1ccccc1)n2[CX4][CX4]{AMINE}",
            # methadone family: 4,4-diphenyl-6-amino-heptan-3-one and its esters
            "[CX4](c1ccccc1)(c1ccccc1)([CX4][CX4][NX3])[CX3,CX4]",
            # pethidine, prodine and ketobemidone family: 4-aryl-piperidine with a 4-ester, -acyloxy or -ketone
            "[CX4]1(c2ccccc2)([$([CX3](=O)[OX2]),$([OX2][CX3]=O),$([CX3](=O)[CX4])])[CX4][CX4][NX3][CX4][CX4]1",
            # dextropropoxyphene family: 1,2-diphenyl-4-amino-butan-2-yl esters
            "[CX4]([OX2][CX3]=O)(c1ccccc1)([CH2]c1ccccc1)[CX4][CH2][NX3]",
            # piritramide, diphenoxylate: 3-cyano-3,3-diphenylpropyl amines
            "N#C[CX4](c1ccccc1)(c1ccccc1)[CH2][CH2][NX3]",
            # tramadol / tapentadol / tilidine
            "[NX3]([CH3])([CH3])[CH2][CX4]1[CX4,CX3][CX4,CX3][CX4][CX4][CX4]1(c1ccccc1)",
            "[NX3]([CH3])([CH3])[CH2][CH]([CH3])[CH]([CH2][CH3])c1cccc(O)c1",
            "[NX3]([CH3])([CH3])[CH1]1[CX3]=[CX3][CX4][CX4][CX4]1(c1ccccc1)[CX3](=O)[OX2]",
            # U-series and AH-7921: N-(2-aminocyclohexyl) benzamides / N-(1-aminocyclohexylmethyl) benzamides
            "c1ccccc1[CX3](=O)[NX3][CX4]1[CX4]([NX3]([CX4])[CX4])[CX4][CX4][CX4][CX4]1",
            "c1ccccc1[CX3](=O)[NX3][CH2][CX4]1([NX3]([CX4])[CX4])[CX4][CX4][CX4][CX4][CX4]1",
            "c1ccccc1[CH2][CX3](=O)[NX3][CX4]1[CX4]([NX3]([CX4])[CX4])[CX4][CX4][CX4][CX4]1",
            # MT-45 (1-cyclohexyl-4-(1,2-diphenylethyl)piperazine)
            "C1CCCCC1N1CCN(C(c2ccccc2)Cc2ccccc2)CC1",
            # brorphine and analogues (piperidinyl-benzimidazolone with a 1-arylethyl)
            "O=c1[nH]c2ccccc2n1C1CCN(C(C)c2ccccc2)CC1",
            # cinnamylpiperazines (AP-237, 2-methyl-AP-237)
            "[CX3](=O)N1CCN(C/C=C/c2ccccc2)CC1",
            "[CX3](=O)N1CCN(CC=Cc2ccccc2)CC1",
        ),
    ),
    SubstanceClassRule(
        "benzodiazepines",
        "Benzodiazepines",
        "Бензодиазепины",
        "A 1,4-diazepine ring fused to an aromatic ring (benzene or thiophene, also with a fused triazole "
        "or imidazole) and carrying an aryl or cycloalkenyl at C5 (classic, triazolo-, imidazo- and "
        "thieno-diazepines, tetrazepam); a 5-aryl-1,5-benzodiazepine-2,4-dione (clobazam); a "
        "1-aryl-2,3-benzodiazepine (tofisopam).",
        smarts=(
            "[#7]1~[#6]~[#6]~[#7]=[#6](-[a,$([#6]=[#6])])~[a]~[a]~1",
            "O=[#6]1~[#6]~[#6](=O)~[#7](-a)~[a]~[a]~[#7]~1",
            "[#6]1(-a)=[#7]-[#7]=[#6]~[#6]~[a]~[a]~1",
        ),
    ),
    SubstanceClassRule(
        "tryptamines",
        "Tryptamines",
        "Триптамины",
        "An indol-3-yl-ethylamine (DMT, psilocybin, psilocin, 5-MeO-DMT, AMT, ibogaine), not the ergolines and "
        "not the tetrahydro-β-carbolines (mitragynine, tetrahydroharmine).",
        smarts=(f"{AMINE}[CX4][CX4]{INDOL_3_YL}",),
        exclude_smarts=(*LYSERGAMIDE_SMARTS, "c1ccc2c(c1)c1[CX4][CX4][#7][#6]c1[nX3]2"),
    ),
    SubstanceClassRule(
        "lysergamides",
        "Lysergamides and ergolines",
        "Лизергамиды и эрголины",
        "An ergoline (LSD, its 1-acyl and N6-alkyl analogues, ergine, lysergic acid, ergometrine, ergotamine).",
        smarts=LYSERGAMIDE_SMARTS,
    ),
    SubstanceClassRule(
        "arylcyclohexylamines",
        "Arylcyclohexylamines",
        "Арилциклогексиламины",
        "A 1-arylcyclohexylamine (PCP, ketamine, methoxetamine, 3-MeO-PCP, tiletamine).",
        smarts=(f"{AMINE}[CX4]1(a)[#6][#6][#6][#6][#6]1",),
    ),
    SubstanceClassRule(
        "piperazines",
        "Piperazines",
        "Пиперазины",
        "A 1-aryl- or 1-benzylpiperazine whose other nitrogen is free, methylated or benzylated (BZP, MBZP, "
        "DBZP, TFMPP, mCPP).",
        smarts=("[NX3;H1,$(N[CH3]),$(N[CH2]a)]1[CH2][CH2][NX3]([$(a),$([CH2]a)])[CH2][CH2]1",),
    ),
    SubstanceClassRule(
        "aminoindanes",
        "Aminoindanes",
        "Аминоинданы",
        "A 2-aminoindane (2-AI, MDAI, 5-IAI, NM-2-AI).",
        smarts=(f"{AMINE}[CH1]1[CH2]c2ccccc2[CH2]1",),
    ),
    SubstanceClassRule(
        "cannabinoids",
        "Cannabinoids (phytocannabinoids and derivatives)",
        "Каннабиноиды (фитоканнабиноиды)",
        "A 6,6-dimethyl-benzo[c]chromene with a 1-oxygen and a 3-alkyl (THC, Δ8-THC, HHC, CBN, THCA) or an "
        "open resorcinol-terpene form (CBD, CBG).",
        smarts=(
            "[OX2]c1cc([CX4])cc2c1[#6]1~[#6]~[#6]~[#6]~[#6]~[#6]~1C([CH3])([CH3])O2",
            "[OX2]c1cc([CX4])cc([OX2])c1[CX4]1[CX3]=[CX3]([CH3])[CX4][CX4][CX4]1[CX3]([CH3])=[CH2]",
            "[OX2]c1cc([CX4])cc([OX2])c1[CH2][CH]=[CX3]([CH3])[CH2][CH2][CH]=[CX3]([CH3])[CH3]",
        ),
    ),
    SubstanceClassRule(
        "tropanes",
        "Cocaine and tropanes",
        "Кокаин и тропаны",
        "An 8-azabicyclo[3.2.1]octane (cocaine, benzoylecgonine, ecgonine, atropine, scopolamine).",
        smarts=("[#6]1~[#6]~[#6]2~[#6]~[#6]~[#6](~[#6]~1)~[#7]~2",),
    ),
    SubstanceClassRule(
        "sedatives",
        "Sedatives and hypnotics",
        "Седативные и снотворные средства",
        "Barbiturates (pyrimidine-2,4,6-triones substituted at C5), quinazolinones of the methaqualone type, "
        "and the listed GHB-type and Z-drug substances.",
        smarts=(
            "O=C1[NX3]C(=[O,S])[NX3]C(=O)[CX4]1([#6])[#6]",
            "O=c1c2ccccc2nc([CH3])n1-c1ccccc1",
        ),
        kind="mixed",
    ),
    SubstanceClassRule(
        "other_stimulants",
        "Other stimulants",
        "Другие стимуляторы",
        "Phenidates (methylphenidate and analogues), aminorex and 4-methylaminorex, the ephedrines, and the "
        "listed stimulants (caffeine, modafinil …).",
        smarts=(
            "[OX2][CX3](=O)[CX4](c1ccccc1)[CX4]1[CX4][CX4][CX4][CX4][NX3]1",
            "[NH2]C1=NC[CX4](c2ccccc2)O1",
            f"c1ccccc1[CH1]([OH1])[CH1]([CH3]){AMINE}",
        ),
        kind="mixed",
    ),
    SubstanceClassRule(
        "precursors",
        "Precursors",
        "Прекурсоры",
        "Substances used to make drugs: the ephedrines, phenyl-2-propanones, their glycidic esters and acids, "
        "α-phenylacetoacetonitrile, -amide and -esters, safrole, isosafrole and piperonal, "
        "1-aryl-2-nitropropenes, α-bromo-aryl ketones, the 4-anilinopiperidines (4-AP, ANPP, norfentanyl, "
        "1-boc-4-AP), NPP, and the listed reagents and solvents of the 1988 Convention tables.",
        smarts=(
            f"c1ccccc1[CH1]([OH1])[CH1]([CH3]){AMINE}",
            "a[CH2][CX3](=O)[CH3]",
            "a[CX4]1[OX2][CX4]1([CH3])[CX3](=O)[OX2]",
            "[$([CX2]#N),$([CX3](=O)[NX3,OX2])][CH1](c1ccccc1)[CX3](=O)[CH3]",
            "[CH2]=[CH][CH2]c1ccc2OCOc2c1",
            "[CH3][CH]=[CH]c1ccc2OCOc2c1",
            "O=[CH1]c1ccc2OCOc2c1",
            "a[CH]=[CX3]([CH3])[N+](=O)[O-]",
            "a[CX3](=O)[CH1](Br)[CX4]",
            "[NX3;H1](c1ccccc1)[CX4]1[CX4][CX4][NX3][CX4][CX4]1",
            "[CX3](=O)[NX3](c1ccccc1)[CX4]1[CX4][CX4][NX3;H1][CX4][CX4]1",
            "O=C1[CX4][CX4][NX3]([CH2][CH2]c2ccccc2)[CX4][CX4]1",
        ),
        kind="mixed",
    ),
    SubstanceClassRule(
        "adulterants",
        "Adulterants and cutting agents",
        "Примеси и разбавители",
        "Substances added to street drugs (caffeine, paracetamol, levamisole, local anaesthetics, xylazine, "
        "sugars …): listed members only.",
        kind="listed",
    ),
    SubstanceClassRule(
        "plant_based",
        "Plant-based substances",
        "Вещества растительного происхождения",
        "Substances obtained from plants (opium and coca alkaloids, cathinone, mescaline, mitragynine, "
        "salvinorin A …): listed members only.",
        kind="listed",
    ),
    SubstanceClassRule(
        "other",
        "Other",
        "Прочие",
        "Listed substances that belong to no other class (gabapentinoids, medicines seen in seizures): "
        "listed members only.",
        kind="listed",
    ),
)

RULES_BY_CODE = {rule.code: rule for rule in RULES}
CLASS_CODES = tuple(rule.code for rule in RULES)


@lru_cache(maxsize=1)
def listed_members() -> dict[str, frozenset[str]]:
    """Skeleton (InChIKey first block) or full InChIKey (stereoisomers) → the listed classes."""
    from fdx.substances.reference import listed_class_members

    return listed_class_members()


def structural_classes(parent: Chem.Mol) -> list[str]:
    """The classes whose SMARTS patterns a standardised parent matches (no listed members)."""
    return [rule.code for rule in RULES if rule.smarts and rule.matches(parent)]


def classify(parent: Chem.Mol, inchikey: str = "") -> list[str]:
    """The class codes of a standardised parent structure (patterns and listed members), in rule order."""
    listed = _listed_for(inchikey)
    structural = set(structural_classes(parent))
    return [rule.code for rule in RULES if rule.code in listed or rule.code in structural]


def _listed_for(inchikey: str) -> frozenset[str]:
    if not inchikey:
        return frozenset()
    members = listed_members()
    return members.get(inchikey, frozenset()) | members.get(skeleton_key(inchikey), frozenset())


#: Each class's definition in Russian, as ``SubstanceClassRule.description`` gives it in English.
DESCRIPTIONS_RU: dict[str, str] = {
    "amphetamines": "Арил-CH2-C(α-метил или α-этил)-амин: амфетамин, метамфетамин, MDA, MDMA, MBDB, PMA, DOx, "
    "фентермин, бензофураны, метиопропамин; не триптамины (индол-3-ил).",
    "cathinones": "β-кетофенэтиламин: арилкетон с аминогруппой при α-атоме углерода (меткатинон, мефедрон, "
    "α-PVP, MDPV).",
    "phenethylamines": "2,5-диалкоксифенэтиламин с открытой цепью (серии 2C, DOx и NBOMe, бензодифураны FLY и "
    "dragonfly) или 3,4,5-триалкоксифенэтиламин (мескалин, эскалин, проскалин, TMA, MMDA).",
    "synthetic_cannabinoids": "N1-замещённый индол, индазол или азаиндол с карбонильной группой при C3 "
    "(нафтоильная, тетраметилциклопропильная, карбоксамидная и сложноэфирная серии); индазол-3-карбоксамид "
    "аминокислоты без «хвоста» (ADB-INACA); N-замещённый γ-карболинон (серия -PEGACLONE); или фенол с "
    "1,1-диметилгептильной или -октильной цепью в мета-положении к гидроксилу (CP 47,497, HU-210, набилон).",
    "fentanyl_analogues": "4-анилидопиперидин с замещённым атомом азота кольца: N-арил-N-(пиперидин-4-ил)амиды, "
    "такие как фентанил, карфентанил и их аналоги (не норфентанил с N-H — прекурсор).",
    "nitazenes": "2-бензилбензимидазол с аминоэтильной группой при N1 (этонитазен, изотонитазен, метонитазен, "
    "варианты -pyne и -desnitazene).",
    "opioids": "Морфинаны и 4,5-эпоксиморфинаны (включая декстрометорфан с тем же скелетом), орипавины, аналоги "
    "фентанила, нитазены, семейства метадона, петидина, продина, кетобемидона, декстропропоксифена, "
    "пиритрамида, трамадола, тапентадола и тилидина, бензамиды и арилацетамиды U-серии, AH-7921, MT-45, "
    "брорфин и циннамилпиперазины (AP-237).",
    "benzodiazepines": "1,4-диазепиновое кольцо, конденсированное с ароматическим (бензольным или тиофеновым, "
    "также с конденсированным триазолом или имидазолом) и несущее арил или циклоалкенил при C5 (классические, "
    "триазоло-, имидазо- и тиенодиазепины, тетразепам); 5-арил-1,5-бензодиазепин-2,4-дион (клобазам); "
    "1-арил-2,3-бензодиазепин (тофизопам).",
    "tryptamines": "Индол-3-илэтиламин (DMT, псилоцибин, псилоцин, 5-MeO-DMT, AMT, ибогаин); не эрголины и не "
    "тетрагидро-β-карболины (митрагинин, тетрагидрогармин).",
    "lysergamides": "Эрголин (LSD, его 1-ацильные и N6-алкильные аналоги, эргин, лизергиновая кислота, "
    "эргометрин, эрготамин).",
    "arylcyclohexylamines": "1-арилциклогексиламин (PCP, кетамин, метоксетамин, 3-MeO-PCP, тилетамин).",
    "piperazines": "1-арил- или 1-бензилпиперазин, второй атом азота которого свободен, метилирован или "
    "бензилирован (BZP, MBZP, DBZP, TFMPP, mCPP).",
    "aminoindanes": "2-аминоиндан (2-AI, MDAI, 5-IAI, NM-2-AI).",
    "cannabinoids": "6,6-диметилбензо[c]хромен с атомом кислорода в положении 1 и алкилом в положении 3 (THC, "
    "Δ8-THC, HHC, CBN, THCA) или открытая резорцин-терпеновая форма (CBD, CBG).",
    "tropanes": "8-азабицикло[3.2.1]октан (кокаин, бензоилэкгонин, экгонин, атропин, скополамин).",
    "sedatives": "Барбитураты (пиримидин-2,4,6-трионы, замещённые при C5), хиназолиноны типа метаквалона, а "
    "также перечисленные вещества типа ГОМК и Z-препараты.",
    "other_stimulants": "Фенидаты (метилфенидат и аналоги), аминорекс и 4-метиламинорекс, эфедрины и "
    "перечисленные стимуляторы (кофеин, модафинил …).",
    "precursors": "Вещества, используемые для получения наркотиков: эфедрины, фенил-2-пропаноны, их глицидные "
    "эфиры и кислоты, α-фенилацетоацетонитрил, -амид и -эфиры, сафрол, изосафрол и пиперональ, "
    "1-арил-2-нитропропены, α-бромарилкетоны, 4-анилинопиперидины (4-AP, ANPP, норфентанил, 1-boc-4-AP), NPP, "
    "а также реагенты и растворители из таблиц Конвенции 1988 года.",
    "adulterants": "Вещества, добавляемые в уличные наркотики (кофеин, парацетамол, левамизол, местные "
    "анестетики, ксилазин, сахара …): только перечисленные вещества.",
    "plant_based": "Вещества растительного происхождения (алкалоиды опия и коки, катинон, мескалин, "
    "митрагинин, сальвинорин A …): только перечисленные вещества.",
    "other": "Перечисленные вещества, не входящие ни в один другой класс (габапентиноиды, лекарственные "
    "средства, встречающиеся в изъятиях): только перечисленные вещества.",
}
