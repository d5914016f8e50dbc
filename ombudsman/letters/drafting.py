"""Drafting letters: a new draft, changes to a draft, drafts from an inspection's recommendations.

Texts a command leaves out get the office's defaults (`compose`); every change is checked against the
command's bounds and the letter's own rules, flushed, and audited. Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ombudsman import contracts
from ombudsman.accounts.models import Office, User
from ombudsman.accounts.permissions import RECOMMEND
from ombudsman.audit import services as audit
from ombudsman.authorities.models import Authority
from ombudsman.errors import Conflict, Invalid, NotFound
from ombudsman.extensions import db
from ombudsman.inspections.models import Finding, Inspection
from ombudsman.letters import access, compose, eligibility
from ombudsman.letters.commands import MAX_COPIES, SIFAT_CHOICES, CopyLine, LetterDraft, NewLetter
from ombudsman.letters.models import Letter, LetterCopy, LetterKind, LetterRecommendation, LetterStatus
from ombudsman.letters.settings import for_office
from ombudsman.recommendations.models import Recommendation, RecommendationKind

# What a letter's audit trail records of its texts.
LETTER_FIELDS = (
    "kind",
    "authority_id",
    "recipient_lines",
    "hal",
    "sifat",
    "lampiran",
    "place",
    "opening",
    "closing",
    "signatory_name",
    "signatory_title",
    "annex",
)
_TEXTS = ("hal", "sifat", "lampiran", "place", "opening", "closing", "signatory_name", "signatory_title")


def office_recommendations(office_id: int, ids: Sequence[int]) -> list[Recommendation]:
    """The office's recommendations with these ids, in order; `Invalid` for a repeated or unknown id."""
    if len(set(ids)) != len(ids):
        raise Invalid(_l("Rekomendasi yang sama dipilih dua kali."), "recommendation_ids")
    if not ids:
        return []
    rows = {
        r.id: r
        for r in db.session.scalars(
            select(Recommendation).where(Recommendation.id.in_(ids), Recommendation.office_id == office_id)
        )
    }
    if len(rows) != len(ids):
        raise Invalid(_l("Rekomendasi tidak ditemukan di kantor ini."), "recommendation_ids")
    return [rows[i] for i in ids]


def _authority(authority_id: int | None, field: str = "authority_id") -> Authority:
    authority = db.session.get(Authority, authority_id) if authority_id else None
    if authority is None:
        raise Invalid(_l("Pilih instansi yang dituju."), field)
    return authority


def _lines(value: str | Iterable[str]) -> list[str]:
    items = value.splitlines() if isinstance(value, str) else list(value)
    return [line.strip() for line in items if line and line.strip()]


def _set_copies(letter: Letter, copies: Sequence[CopyLine]) -> None:
    """The letter's Tembusan lines, in order; empty lines are skipped.

    Raises `Invalid` on `copies` for more than `MAX_COPIES` lines, a line with both an authority and free text
    (one of the two would be lost), an authority named twice, and the same free text twice. The letter's own
    authority may be copied: a letter to head office is filed under the authority it is about, which hears
    of it through Tembusan (`escalation`).
    """
    if len(copies) > MAX_COPIES:
        raise Invalid(_l("Paling banyak %(n)d baris tembusan.", n=MAX_COPIES), "copies")
    rows, authorities, texts = [], set(), set()
    for position, line in enumerate(copies, start=1):
        try:
            contracts.validate(line)
        except Invalid as exc:
            raise Invalid(exc.message, "copies") from exc
        text = (line.text or "").strip()
        if line.authority_id:
            if text:
                msg = _l("Satu baris tembusan berisi instansi atau teks bebas, tidak keduanya.")
                raise Invalid(msg, "copies")
            authority = _authority(line.authority_id, "copies")
            if authority.id in authorities:
                raise Invalid(_l("%(name)s sudah ada di tembusan.", name=authority.name), "copies")
            authorities.add(authority.id)
        elif not text:
            continue
        else:
            key = " ".join(text.split()).casefold()
            if key in texts:
                raise Invalid(_l("Teks tembusan yang sama tertulis dua kali: %(text)s", text=text), "copies")
            texts.add(key)
        rows.append(LetterCopy(position=position, authority_id=line.authority_id or None, text=text))
    letter.copies = rows


def _set_recommendations(letter: Letter, ids: Sequence[int]) -> None:
    recs = office_recommendations(letter.office_id, list(ids))
    existing = {link.recommendation_id: link for link in letter.links}
    links = []
    for position, rec in enumerate(recs, start=1):
        link = existing.get(rec.id) or LetterRecommendation(recommendation=rec)
        link.position = position
        links.append(link)
    letter.links = links


# What a letter of each kind may carry. A saran letter says "Saran:" and the saran's deadline: a Rekomendasi
# or a corrective action in it would be mislabelled and given the wrong deadline sentence. A Rekomendasi
# draft for head office may rest on ignored saran or corrective actions; reminders and requests for
# clarification are about whatever they name.
KIND_CARRIES = {
    LetterKind.SARAN: {RecommendationKind.SARAN},
    LetterKind.TINDAKAN_KOREKTIF: {RecommendationKind.TINDAKAN_KOREKTIF},
}


def _check_kinds(letter: Letter) -> None:
    """Refuse recommendations of another kind than the letter's (see `KIND_CARRIES`), naming them."""
    allowed = KIND_CARRIES.get(letter.kind)
    if allowed is None:
        return
    wrong = [rec for rec in letter.recommendations if rec.kind not in allowed]
    if wrong:
        raise Invalid(
            _l(
                "Surat berjenis %(kind)s hanya dapat memuat rekomendasi berjenis sama; rekomendasi nomor "
                "%(numbers)s berjenis lain. Buat surat terpisah untuknya atau ubah jenis surat.",
                kind=compose.KIND_PHRASES[next(iter(allowed))],
                numbers=", ".join(str(rec.position or rec.id) for rec in wrong),
            ),
            "recommendation_ids",
        )


def _copies_state(letter: Letter) -> list[list[Any]]:
    return [[c.authority_id, c.text] for c in letter.copies]


def _check(letter: Letter) -> None:
    if not letter.hal.strip():
        raise Invalid(_l("Hal (perihal) wajib diisi."), "hal")
    if not letter.recipient_line_list:
        raise Invalid(_l("Tulis minimal satu baris penerima setelah \u201cYth.\u201d."), "recipient_lines")
    if letter.sifat not in SIFAT_CHOICES:
        raise Invalid(_l("Sifat surat harus Biasa, Segera, Penting atau Rahasia."), "sifat")
    if not letter.signatory_name.strip() or not letter.signatory_title.strip():
        raise Invalid(_l("Nama dan jabatan penanda tangan wajib diisi."), "signatory_name")


def _apply(letter: Letter, cmd: LetterDraft) -> None:
    """Put the command's values on the letter (None leaves a field as it is), then fill the defaults."""
    recipient_lines = cmd.recipient_lines
    if cmd.authority_id is not None:
        authority = _authority(cmd.authority_id)
        old = letter.authority
        # Lines still as the register gave them for the old addressee follow the new one.
        if (
            old is not None
            and old.id != authority.id
            and recipient_lines is not None
            and _lines(recipient_lines) == compose.recipient_lines_for(old)
        ):
            recipient_lines = ""
        letter.authority = authority
    if cmd.kind is not None:
        try:
            letter.kind = LetterKind(cmd.kind)
        except ValueError as exc:
            raise Invalid(_l("Jenis surat tidak dikenal."), "kind") from exc
    if recipient_lines is not None:
        letter.recipient_lines = "\n".join(_lines(recipient_lines))
    for key in _TEXTS:
        value = getattr(cmd, key)
        if value is not None:
            setattr(letter, key, value.strip())
    if cmd.annex is not None:
        letter.annex = bool(cmd.annex)
    if letter.authority is not None and not letter.recipient_lines.strip():
        letter.recipient_lines = "\n".join(compose.recipient_lines_for(letter.authority))
    if not letter.lampiran:
        letter.lampiran = "-"


def _apply_lists(letter: Letter, cmd: LetterDraft) -> None:
    if cmd.recommendation_ids is not None:
        _set_recommendations(letter, cmd.recommendation_ids)
    if cmd.copies is not None:
        _set_copies(letter, cmd.copies)


def create(office: Office, user: User, cmd: NewLetter, *, supersedes: Letter | None = None) -> Letter:
    """A new draft letter of `office`; texts the command leaves out get the office's defaults.

    `supersedes`: the issued letter this draft corrects (see `workflow.start_correction`).
    Raises `Forbidden` for a role that does not draft, `Invalid` naming the field at fault (on
    `recommendation_ids`: a recommendation that does not belong to the addressee or already sits in another
    letter of the same kind, see `eligibility`).
    """
    access.require(user, RECOMMEND, access.MSG_DRAFTERS)
    contracts.validate(cmd)
    if cmd.authority_id is None:
        raise Invalid(_l("Pilih instansi yang dituju."), "authority_id")
    if cmd.inspection_id is not None:
        inspection = db.session.get(Inspection, cmd.inspection_id)
        if inspection is None or inspection.office_id != office.id:
            raise Invalid(_l("Inspeksi tidak ditemukan di kantor ini."), "inspection_id")
    name, title = compose.default_signatory(office, for_office(office))
    letter = Letter(
        office=office,
        office_id=office.id,
        inspection_id=cmd.inspection_id,
        kind=LetterKind.SARAN,
        status=LetterStatus.DRAFT,
        recipient_lines="",
        hal="",
        sifat="Biasa",
        lampiran="-",
        place=office.city,
        opening="",
        annex=False,
        delivery_note="",
        signatory_name=name,
        signatory_title=title,
        closing=compose.default_closing(office),
        created_by_id=user.id,
        supersedes_id=supersedes.id if supersedes is not None else None,
    )
    _apply(letter, cmd)
    _check(letter)
    db.session.add(letter)
    _apply_lists(letter, cmd)
    _check_kinds(letter)
    db.session.flush()
    eligibility.check(letter)  # after the flush: the letter has its id, so it is not "another letter"
    changes = audit.snapshot(letter, LETTER_FIELDS)
    changes["recommendation_ids"] = [link.recommendation_id for link in letter.links]
    changes["copies"] = _copies_state(letter)
    if letter.supersedes_id:
        changes["supersedes_id"] = letter.supersedes_id
    access.record(letter, user, "created", changes)
    return letter


def update(letter: Letter, user: User, cmd: LetterDraft) -> dict[str, Any]:
    """Change a draft (or a letter in review, by its reviewers); returns the audited changes.

    Raises `NotFound` (another office), `Forbidden` (the role, at this stage), `Conflict` (approved or
    issued letters do not change), `Invalid` naming the field at fault.
    """
    access.check_editable(user, letter)
    contracts.validate(cmd)
    before = audit.snapshot(letter, LETTER_FIELDS)
    before_recs = [link.recommendation_id for link in letter.links]
    before_copies = _copies_state(letter)
    _apply(letter, cmd)
    _check(letter)
    _apply_lists(letter, cmd)
    _check_kinds(letter)
    eligibility.check(letter)
    db.session.flush()
    changes = audit.diff(before, audit.snapshot(letter, LETTER_FIELDS))
    after_recs = [link.recommendation_id for link in letter.links]
    if after_recs != before_recs:
        changes["recommendation_ids"] = [before_recs, after_recs]
    if _copies_state(letter) != before_copies:
        changes["copies"] = [before_copies, _copies_state(letter)]
    if changes:
        access.record(letter, user, "updated", changes)
    return changes


def apply_unsaved(letter: Letter, cmd: LetterDraft) -> None:
    """Put form values on a letter for a preview, without checks or audit; the caller must roll back."""
    _apply(letter, cmd)
    _apply_lists(letter, cmd)


def draft_from_inspection(inspection: Inspection, user: User) -> tuple[list[Letter], list[Authority]]:
    """One draft per addressee (and kind) of the inspection's recommendations not yet in a letter; returns
    (created, skipped addressees).

    A recommendation already carried by an active letter of its kind (any status but superseded) is left
    out, so a recommendation written after the first letters went out gets a new letter of its own. An
    addressee gets none when all its recommendations are in letters already, or when it has a letter of that
    kind on this inspection still being drafted (draft or in review: add the recommendation there).
    Raises `Forbidden` for a role that does not draft, `NotFound` for another office's inspection,
    `Conflict` when the inspection has no recommendation yet.
    """
    access.require(user, RECOMMEND, access.MSG_DRAFTERS)
    if user.office_id != inspection.office_id:
        raise NotFound(_l("Inspeksi tidak ditemukan."))
    recs = list(
        db.session.scalars(
            select(Recommendation)
            .where(
                Recommendation.office_id == inspection.office_id,
                Recommendation.findings.any(Finding.inspection_id == inspection.id),
            )
            .options(joinedload(Recommendation.authority), selectinload(Recommendation.findings))
            .order_by(Recommendation.position, Recommendation.id)
        ).unique()
    )
    if not recs:
        raise Conflict(_l("Inspeksi ini belum punya rekomendasi; tulis rekomendasi dulu."))
    # One letter per addressee and kind: a saran letter carries no corrective action (`KIND_CARRIES`).
    groups: dict[tuple[int, LetterKind], list[Recommendation]] = {}
    for rec in recs:
        groups.setdefault((rec.authority_id, compose.letter_kind_for([rec])), []).append(rec)
    in_letters = set(
        db.session.execute(
            select(LetterRecommendation.recommendation_id, Letter.kind)
            .join(Letter, Letter.id == LetterRecommendation.letter_id)
            .where(
                LetterRecommendation.recommendation_id.in_([r.id for r in recs]),
                Letter.status != LetterStatus.SUPERSEDED,
                Letter.escalation_step.is_(None),
            )
        ).tuples()
    )
    being_drafted = set(
        db.session.execute(
            select(Letter.authority_id, Letter.kind).where(
                Letter.inspection_id == inspection.id,
                Letter.status.in_((LetterStatus.DRAFT, LetterStatus.IN_REVIEW)),
            )
        ).tuples()
    )
    office = inspection.office
    created, skipped = [], []
    for (authority_id, kind), all_of_group in groups.items():
        authority = all_of_group[0].authority
        group = [r for r in all_of_group if (r.id, kind) not in in_letters]
        if not group or (authority_id, kind) in being_drafted:
            if authority not in skipped:
                skipped.append(authority)
            continue
        cmd = NewLetter(
            inspection_id=inspection.id,
            authority_id=authority_id,
            kind=compose.letter_kind_for(group),
            hal=compose.default_hal(inspection),
            opening=compose.default_opening(office, inspection, (r.kind for r in group)),
            place=office.city,
            recommendation_ids=tuple(r.id for r in group),
            copies=default_copies(inspection, authority),
        )
        created.append(create(office, user, cmd))
    return created, skipped


def default_copies(inspection: Inspection, recipient: Authority) -> tuple[CopyLine, ...]:
    """Tembusan: head office, the inspected unit when it is not the recipient, the recipient's superior."""
    copies = [CopyLine(text=compose.HEAD_OFFICE_COPY)]
    unit = inspection.authority
    if unit.id != recipient.id:
        copies.append(CopyLine(authority_id=unit.id))
    if recipient.parent is not None and recipient.parent_id != unit.id:
        copies.append(CopyLine(authority_id=recipient.parent_id))
    return tuple(copies)
