"""The red-flag screen before any session, as pure data and pure rules.

Group A means urgent care now (possible cauda equina syndrome), group B means
see a clinician before massage, group C changes the session (nhs-ces,
nhs-sciatica, clinical notes). Asking and saving happen at the edges.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from voiceguide import domain


@dataclass(frozen=True)
class Question:
    id: str
    text: str

    @property
    def about_partner(self) -> str:
        """The question asked about the person receiving (partner mode): "Does your partner ..."."""
        return PARTNER_TEXT.get(self.id, self.text)

    @property
    def group(self) -> str:
        """A emergency, B see a clinician, C adjust the session: read from domain's lists, not retyped."""
        if self.id in domain.RED_FLAGS_EMERGENCY:
            return "A"
        return "B" if self.id in domain.RED_FLAGS_CLINICIAN else "C"


QUESTIONS: tuple[Question, ...] = (
    Question(
        "saddle-numbness",
        "Do you have numbness or tingling between your legs, around your bottom or genitals?",
    ),
    Question(
        "bladder-bowel",
        "Have you had new trouble passing urine, or lost control of your bladder or bowels?",
    ),
    Question("both-legs", "Do you have sciatica in both legs at the same time?"),
    Question(
        "leg-weakness",
        "Is a leg getting weak or numb, badly or quickly, or does your foot drag when you walk?",
    ),
    Question("sexual-dysfunction", "Have you noticed a new problem with sexual function?"),
    Question("fever", "Do you have a fever, or feel generally unwell, with the back pain?"),
    Question("cancer", "Have you ever had cancer?"),
    Question("weight-loss", "Have you lost weight recently without trying?"),
    Question("trauma", "Did this pain start after a recent fall, accident or other injury?"),
    Question("steroids", "Have you taken steroid tablets, such as prednisolone, for months?"),
    Question("night-pain", "Is the pain constant, and worse at night or when you rest?"),
    Question(
        "immunosuppression",
        "Is your immune system weakened by illness or medicine, or have you injected drugs?",
    ),
    Question("dvt", "Do you have a blood clot in a leg, or a calf that is painful, swollen and warm?"),
    Question("anticoagulants", "Do you take blood thinners, or have a bleeding disorder?"),
    Question(
        "skin",
        "Is there broken skin, a rash, an infection, or a hot swollen patch on the back, buttocks or thighs?",
    ),
    Question(
        "recent-surgery",
        "Have you had surgery or a fracture in the back, pelvis, hip or thigh in the last three months?",
    ),
    Question("osteoporosis", "Have you been told you have osteoporosis, or thin bones?"),
    Question("pregnancy", "Are you pregnant?"),
    Question("hip-replacement", "Have you had a hip replacement?"),
)

# Partner mode asks about the person receiving, so that the giver never answers for themselves.
PARTNER_TEXT = {
    "saddle-numbness": (
        "Does your partner have numbness or tingling between the legs, around the bottom or genitals?"
    ),
    "bladder-bowel": (
        "Has your partner had new trouble passing urine, or lost control of the bladder or bowels?"
    ),
    "both-legs": "Does your partner have sciatica in both legs at the same time?",
    "leg-weakness": (
        "Is one of your partner's legs getting weak or numb, badly or quickly, or does a foot drag "
        "when they walk?"
    ),
    "sexual-dysfunction": "Has your partner noticed a new problem with sexual function?",
    "fever": "Does your partner have a fever, or feel generally unwell, with the back pain?",
    "cancer": "Has your partner ever had cancer?",
    "weight-loss": "Has your partner lost weight recently without trying?",
    "trauma": "Did your partner's pain start after a recent fall, accident or other injury?",
    "steroids": "Has your partner taken steroid tablets, such as prednisolone, for months?",
    "night-pain": "Is your partner's pain constant, and worse at night or at rest?",
    "immunosuppression": (
        "Is your partner's immune system weakened by illness or medicine, or have they injected drugs?"
    ),
    "dvt": "Does your partner have a blood clot in a leg, or a calf that is painful, swollen and warm?",
    "anticoagulants": "Does your partner take blood thinners, or have a bleeding disorder?",
    "skin": (
        "Does your partner have broken skin, a rash, an infection, or a hot swollen patch on the back, "
        "buttocks or thighs?"
    ),
    "recent-surgery": (
        "Has your partner had surgery or a fracture in the back, pelvis, hip or thigh in the last "
        "three months?"
    ),
    "osteoporosis": "Has your partner been told they have osteoporosis, or thin bones?",
    "pregnancy": "Is your partner pregnant?",
    "hip-replacement": "Has your partner had a hip replacement, or recent hip surgery?",
}
PARTNER_CLEARED_QUESTION = (
    "Has a doctor or physiotherapist seen your partner about this, and said massage is safe for them?"
)


def question_text(question: Question, mode: str = "self") -> str:
    """The question as asked in this mode."""
    return question.about_partner if mode == "partner" else question.text


INTRO = {
    "self": "Before your first session, a few yes or no questions about your back pain.",
    "partner": "These questions are about the person who will receive the massage. Answer yes or no.",
}
CLEARED_QUESTION = "Has a doctor or physiotherapist seen you about this, and said massage is safe for you?"
_AREA_NAMES = [a.replace("-", " ") for a in domain.AREAS]
AREA_QUESTION = f"Which area? {', '.join(_AREA_NAMES[:-1]).capitalize()} or {_AREA_NAMES[-1]}."
AGE_ADVICE = (
    "If you are under 20 or over 50 and this is your first episode of back pain, "
    "see a clinician before you start."
)
EMERGENCY_MESSAGE = (
    "Please get urgent medical help now: call your doctor's urgent line or emergency services. "
    "These signs can mean pressure on the nerves at the base of the spine, which needs "
    "treatment within hours. Do not start a massage session."
)
CLINICIAN_MESSAGE = (
    "Please see a clinician before massage: your answers can have a cause that needs checking "
    "first. When they say massage is safe, run voiceguide screen again."
)
DVT_MESSAGE = (
    "No massage with a possible blood clot in the leg: massage could move it. Please see a clinician first."
)
PROFILE_MAX_AGE_DAYS = 90


@dataclass
class ScreenResult:
    answers: dict[str, bool] = field(default_factory=dict)
    condition_areas: dict[str, list[str]] = field(default_factory=dict)
    cleared: bool = False

    @property
    def emergency_flags(self) -> list[str]:
        return [q for q in domain.RED_FLAGS_EMERGENCY if self.answers.get(q)]

    @property
    def clinician_flags(self) -> list[str]:
        return [q for q in domain.RED_FLAGS_CLINICIAN if self.answers.get(q)]

    @property
    def conditions(self) -> list[str]:
        out: list[str] = []
        for name in domain.CONDITIONS:
            if not self.answers.get(name):
                continue
            areas = self.condition_areas.get(name) or []
            out.extend(f"{name}:{a}" for a in areas) if areas else out.append(name)
        return out

    @property
    def outcome(self) -> str:
        if self.emergency_flags:
            return "emergency"
        if (self.clinician_flags and not self.cleared) or self.answers.get("dvt"):
            return "see-clinician"
        return "adjust" if self.conditions else "clear"

    @property
    def may_play(self) -> bool:
        return self.outcome in domain.MAY_PLAY

    def message(self) -> str:
        outcome = self.outcome
        if outcome == "emergency":
            return EMERGENCY_MESSAGE
        if outcome == "see-clinician":
            return (
                DVT_MESSAGE if self.answers.get("dvt") and not self.clinician_flags else (CLINICIAN_MESSAGE)
            )
        if outcome == "adjust":
            return "Thank you. Sessions will be adjusted for: " + ", ".join(self.conditions) + "."
        return "Thank you. Nothing in your answers rules out a gentle session."


def parse_yes_no(text: str) -> bool | None:
    word = text.strip().lower().rstrip(".!")
    if word in ("y", "yes", "yeah", "yep", "true", "1"):
        return True
    if word in ("n", "no", "nope", "false", "0"):
        return False
    return None


def parse_areas(text: str) -> list[str] | None:
    """'buttock, hip' or 'lower back' -> area ids; None if any word is not an area."""
    spoken = {words: area for area, words in domain.AREA_WORDS.items()}
    spoken.update({"hamstring": "hamstring", "thigh": "hamstring", "lower-back": "lower-back"})
    parts = [p.strip().lower() for p in text.replace(" and ", ",").split(",") if p.strip()]
    if not parts:
        return None
    areas = []
    for part in parts:
        area = part if part in domain.AREAS else spoken.get(part)
        if area is None:
            return None
        areas.append(area)
    return list(dict.fromkeys(areas))


class Asker:
    """How the screen gets its answers: keys, voice, or lines of stdin."""

    def say(self, text: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def yes_no(self, text: str) -> bool | None:
        """The answer, or None when there are no more answers."""
        raise NotImplementedError  # pragma: no cover

    def areas(self, text: str) -> list[str] | None:
        raise NotImplementedError  # pragma: no cover


class Unanswered(Exception):
    def __init__(self, question: Question | None, answered: int) -> None:
        super().__init__(question.id if question else "cleared")
        self.question = question
        self.answered = answered


def run_screen(asker: Asker, mode: str = "self") -> ScreenResult:
    """Ask in order; stop at the first emergency sign; ask for clearance after group B."""
    result = ScreenResult()
    asker.say(INTRO.get(mode, INTRO["self"]))
    for i, question in enumerate(QUESTIONS):
        after_group_b = question.group == "C" and i > 0 and QUESTIONS[i - 1].group == "B"
        if after_group_b and result.clinician_flags:
            cleared = asker.yes_no(PARTNER_CLEARED_QUESTION if mode == "partner" else CLEARED_QUESTION)
            if cleared is None:
                raise Unanswered(None, i)
            result.cleared = cleared
            if not cleared:
                return result
        answer = asker.yes_no(question_text(question, mode))
        if answer is None:
            raise Unanswered(question, i)
        result.answers[question.id] = answer
        if answer and question.group == "A":
            return result
        if answer and question.id in domain.AREA_CONDITIONS:
            areas = asker.areas(AREA_QUESTION)
            if areas:
                result.condition_areas[question.id] = areas
    asker.say(AGE_ADVICE)
    return result


class LineAsker(Asker):
    """One answer per line of stdin, in question order; area lines are optional."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = [line.strip() for line in lines if line.strip()]
        self.position = 0
        self.said: list[str] = []

    def say(self, text: str) -> None:
        self.said.append(text)

    def yes_no(self, text: str) -> bool | None:
        from voiceguide.errors import InvalidInput

        if self.position >= len(self.lines):
            return None
        line = self.lines[self.position]
        self.position += 1
        answer = parse_yes_no(line)
        if answer is None:
            raise InvalidInput(
                f"Answer {self.position} of the screen is {line!r}, not yes or no.",
                hint="Give one answer per line: yes or no, in question order.",
            )
        return answer

    def areas(self, text: str) -> list[str] | None:
        if self.position < len(self.lines):
            areas = parse_areas(self.lines[self.position])
            if areas:
                self.position += 1
                return areas
        return None
