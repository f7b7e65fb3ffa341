"""UCS ground truth for the out-of-distribution library: rules from a file's name words to the
UCS CatID a sound librarian would file it under, for tag-suggestion accuracy (issue 16).

Rules are tried in order and the first whose regex matches the file's words wins; a file no rule
matches has no ground truth (it is left out of accuracy, not counted wrong). Rules were written
by reading the matches (``python -m bench.ood stats`` prints the counts). A voice line is filed
under VOICES whatever it says, so the rules that know a name is a voice line come before those
that read its words as what the sound is: Bos Wars' ``camera.completed.wav`` is a voice saying
"camera completed", not a camera.
"""

from __future__ import annotations

import re

from bench.ood.library import OodFile
from engine.words import UcsCategory, ucs_categories

RULES: tuple[tuple[str, str], ...] = (
    (r"\bbot (voice|first contact|start attack|death)\b", "ROBTVox"),
    (r"\b(scream|wscream|oh god)\b", "VOXScrm"),
    (r"\b(crazy laugh|evil laugh|laugh)\b", "VOXLaff"),
    (r"\b(crowd (cheer|ooh|boo)|cheering|applause)\b", "CRWDCheer"),
    (
        r"\b(announcer|comments|yes sir|affirm|excuse me|goodbye|welcome|lets go|we re|we ve|the design|the factory|"
        r"the lab|the mine|the production|the sector|it s all over)\b",
        "VOXMisc",
    ),
    # Bos Wars' announcements of its units, named by unit and event ("camera.completed",
    # "tank.ready", "vault.underattack", "buggy_attacked"); not KGoldrunner's themes/completed.ogg,
    # a level's closing jingle
    (r"(?<!themes )\b(completed|under attack|attacked|ready)$", "VOXMisc"),
    (r"\b(steps?|footstep)\b", "FEETHmn"),
    (r"\b(door|wood open|stone open)\b", "DOORMisc"),
    (r"\b(glass|bottle)\b", "GLASMisc"),
    (r"\b(open fire|burn|fireball|flame)\b|\bdink fire\b", "FIREBurn"),
    (r"\b(thunder|lightning bolt)\b", "THUN"),
    (r"\bwind\b", "WIND"),
    (r"\b(river|droplets|water|puddle|splash)\b", "WATRMisc"),
    (r"\b(blub|bubbles?)\b", "WATRBubl"),
    (r"\b(explosion|explode|expl|exe plo|explo|blast|bomb|bang)\b", "EXPLMisc"),
    (r"\b(biplane|jet plane|plane low|comet jet)\b", "AEROMisc"),
    (r"\b(wagon|steam|diesel|crossing|mine cart)\b", "TRNMisc"),
    (r"\b(boat horn|ships bell|dock|ship sink)\b", "BOATMisc"),
    (r"\b(engine|wroum|truck|bus|fire truck|gear|tank idle|hevidle|hevmov|hevstart)\b", "VEHMisc"),
    (r"\b(jackhammer|buzz saw|saw|tree cutting)\b", "TOOLPowr"),
    (r"\b(vacuum|washing|kettle|toilet)\b", "MACHAppl"),
    (r"\b(machine|pump|windmill|elevator)\b", "MACHMisc"),
    (r"\b(anvil|smith|hammer|mallet|stonemason)\b", "METLImpt"),
    # birds and wild animals under the subcategory whose UCS synonyms list them (bench/tagging.py
    # measures subcategories too), the rest of each under MISC or WILD; a bird's own name before
    # the "birds" of its folder
    (r"\b(owl|vulture)\b", "BIRDPrey"),
    (r"\b(raven|crow)\b", "BIRDCrow"),
    (r"\b(lark|blackbird)\b", "BIRDSong"),
    (r"\b(seagulls?|penguin)\b", "BIRDSea"),
    (r"\bheron\b", "BIRDWade"),
    (r"\b(tucan|quetzal)\b", "BIRDTrop"),
    (r"\b(hen|rooster|turkey|duck|drake|gander|chicken)\b", "BIRDFowl"),
    (r"\b(birds?|twitter|cuckoo|nandou)\b", "BIRDMisc"),
    (r"\b(cow|bull|bison|sheep|lamb|pig|goat|sheep field|mountain goat)\b", "ANMLFarm"),
    (r"\b(horse|donkey|zebra)\b", "ANMLHors"),
    (r"\b(bee|hornet|mosquito|grasshopper|insects)\b", "ANMLInsc"),
    (r"\b(monkey|cap uch monk|chimp|gorilla|apes)\b", "ANMLPrim"),
    (r"\bsea lion\b", "ANMLAqua"),
    (r"\b((?<!ant )lion|tiger)\b", "ANMLWcat"),
    (r"\bfox\b", "ANMLWdog"),
    (r"\b(squirrel|mouse)\b", "ANMLRdnt"),
    (r"\b(bear|elephant|hippopotamus|deer|doe|caribou|camel|dromedary|badger|koala|rabbit)\b", "ANMLWild"),
    (r"\bdog\b", "ANMLDog"),
    (r"\b(zombie|goblin|minotaur|wyvern|ant lion|skeleton|grave)\b", "CREAMnstr"),
    (r"\b(laser|phaser|plasma)\b", "LASRGun"),
    (r"\b(shot|shoot|mg|shell|rifle|pistol|sniper)\b|\b(ho|ht|hv|lt|mt|mu) fire\b", "GUNMisc"),
    (r"\b(arrow|bow)\b", "WEAPBow"),
    (r"\b(sword|swing|melee|axe)\b", "WEAPSwrd"),
    (r"\b(swish|swoosh|whoosh)\b", "WHSH"),
    (r"\b(punch|bhit)\b", "FGHTImpt"),
    (r"\b(click|clic|key press|tab|check)\b", "UIClick"),
    (r"\bbeep\b", "UIBeep"),
    (r"\b(alarm|ralarm|siren|battery low)\b", "ALRMMisc"),
    (
        r"\b(message|msg|mail|email|sms|nudge|error|warning|question|login|log in|log out|log off|"
        r"device added|device removed|trash|complete|dialog)\b",
        "UIAlert",
    ),
    (r"\b(coins?|gold|cash|money)\b", "OBJCoin"),
    (r"\b(spell|heal|healing|teleport|teleporter|freeze|shield|time stop|war cry)\b", "MAGSpel"),
    (r"\bref whistle\b", "WHSTHmn"),
    (r"\bbell\b", "BELLMisc"),
    (r"\b(camera|screen capture)\b", "COMCam"),
    (r"\b(page|flip page|book)\b", "PAPRHndl"),
    (r"\b(crash|sandcrash|collide)\b", "DESTRCrsh"),
    (r"\b(bounce|boing|bumper)\b", "TOONBoing"),
)
_COMPILED = tuple((re.compile(pattern), cat_id) for pattern, cat_id in RULES)


def ucs_truth(file: OodFile) -> UcsCategory | None:
    """The UCS category the first matching rule gives this file, or None."""
    for pattern, cat_id in _COMPILED:
        if pattern.search(file.text):
            return ucs_categories()[cat_id]
    return None
