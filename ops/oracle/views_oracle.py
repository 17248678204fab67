#!/usr/bin/env python3
"""An independent implementation of shared/spec/views.md (Python 3.11 standard library only).

Usage:
  views_oracle.py EVENTS.jsonl VIEW QUERY --as-of T [--at-position P] [--from F] [--to T2]
                  [--week 2026-W10] [--policy FILE] [--draft FILE]

Reads a JSON Lines file of events, assigns positions 1.. in file order (an event whose id is
already in the log is a duplicate and gets no position; an invalid event is skipped), and prints
the JSON object of `parley VIEW QUERY --json` as the spec defines it.

Instants are handled as integer microseconds since the Unix epoch throughout.
"""
from __future__ import annotations

import json
import math
import re
import sys
from datetime import date, datetime, timedelta, timezone
from fractions import Fraction
from zoneinfo import ZoneInfo

US = 1_000_000
DAY_US = 86_400 * US
BRAND = "brand"
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

# --------------------------------------------------------------------------- instants

_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def parse_instant(s: str) -> int:
    m = _RFC3339.match(s)
    if not m:
        raise ValueError(f"not an RFC 3339 instant: {s!r}")
    y, mo, d, h, mi, se = (int(m.group(i)) for i in range(1, 7))
    frac = m.group(7)
    micro = int((frac[1:] + "000000")[:6]) if frac else 0   # finer fractions are truncated
    z = m.group(8)
    if z in ("Z", "z"):
        off = 0
    else:
        sign = 1 if z[0] == "+" else -1
        off = sign * (int(z[1:3]) * 3600 + int(z[4:6]) * 60)
    dt = datetime(y, mo, d, h, mi, se, tzinfo=timezone.utc)
    return ((dt - EPOCH) // timedelta(seconds=1) - off) * US + micro


def fmt_instant(us: int | None) -> str | None:
    if us is None:
        return None
    secs, micro = divmod(us, US)
    dt = EPOCH + timedelta(seconds=secs)
    s = dt.strftime("%Y-%m-%dT%H:%M:%S")
    if micro:
        s += ("." + f"{micro:06d}").rstrip("0")
    return s + "Z"


def us_to_local(us: int, tz: ZoneInfo) -> datetime:
    secs, micro = divmod(us, US)
    return (EPOCH + timedelta(seconds=secs, microseconds=micro)).astimezone(tz)


def local_to_us(d: date, hhmm: str, tz: ZoneInfo) -> int:
    """Local wall time on date d in tz → instant. fold=0: a nonexistent time is read with the
    offset before the jump (lands after the gap); an ambiguous one is its first occurrence."""
    h, m = int(hhmm[:2]), int(hhmm[3:5])
    if h == 24:
        d = d + timedelta(days=1)
        h = 0
    dt = datetime(d.year, d.month, d.day, h, m, tzinfo=tz, fold=0)
    return (dt.astimezone(timezone.utc) - EPOCH) // timedelta(microseconds=1)


def secs(us: int) -> float | int:
    return us // US if us % US == 0 else us / US


# --------------------------------------------------------------------------- policies

DEFAULT_HOURS = {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
DEFAULT_HOURS.update({"sat": [], "sun": []})
DEFAULTS = {
    "sla": {"first_response_s": 7200, "timezone": "UTC", "hours": DEFAULT_HOURS, "holidays": []},
    "community": {"window_days": 30, "newcomer_days": 14, "activist_min": 10, "timezone": "UTC",
                  "hero_weights": {"post": 3, "comment": 2, "idea": 3, "other": 1}},
    "content": {"timezone": "UTC",
                "targets": {"engaging": 0.40, "ugc": 0.30, "educational": 0.25, "promotional": 0.05},
                "max_brand_posts_per_day": 2, "stop_words": []},
    "product": {"impact_high": 3, "cost_low": 2, "timezone": "UTC"},
}
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


def _is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _valid_tz(v):
    if not isinstance(v, str) or not v:
        return False
    try:
        ZoneInfo(v)
        return True
    except Exception:
        return False


def validate_policy(name, value) -> bool:
    """Best effort at the append-time refusals of views.md; the generators keep files valid."""
    if name not in DEFAULTS or not isinstance(value, dict):
        return False
    known = DEFAULTS[name]
    for k, v in value.items():
        if k not in known:
            return False
        if v is None:
            continue
        if k == "timezone":
            if not _valid_tz(v):
                return False
        elif k == "hours":
            if v == "24x7":
                continue
            if not isinstance(v, dict):
                return False
            for day, slots in v.items():
                if day not in DAYS or not isinstance(slots, list):
                    return False
                prev_end = None
                for slot in slots:
                    if (not isinstance(slot, list) or len(slot) != 2
                            or not all(isinstance(x, str) and _HHMM.match(x) for x in slot)):
                        return False
                    if slot[0] == "24:00" or slot[0] >= slot[1]:
                        return False
                    if prev_end is not None and slot[0] < prev_end:
                        return False
                    prev_end = slot[1]
        elif k == "holidays":
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                return False
            for x in v:
                try:
                    date.fromisoformat(x)
                except ValueError:
                    return False
        elif k == "targets":
            if not isinstance(v, dict):
                return False
            for tk, tv in v.items():
                if tk not in known["targets"] or not _is_num(tv) or not (0 < tv <= 1):
                    return False
        elif k == "hero_weights":
            if not isinstance(v, dict):
                return False
            for hk, hv in v.items():
                if hk not in known["hero_weights"] or not _is_num(hv) or hv < 0:
                    return False
        elif k == "stop_words":
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                return False
        elif k == "first_response_s":
            if not _is_num(v) or v <= 0:
                return False
        else:  # thresholds
            if not _is_num(v) or v < 0:
                return False
    return True


def effective_policy(name, value) -> dict:
    """`value` replaces the whole policy; a missing field takes its default; inside targets and
    hero_weights a missing key takes its default; a day missing from hours is closed."""
    d = DEFAULTS[name]
    out = {}
    value = value or {}
    for k, dv in d.items():
        v = value.get(k)
        if v is None:
            out[k] = dv
        elif k in ("targets", "hero_weights"):
            merged = dict(dv)
            merged.update({kk: vv for kk, vv in v.items() if vv is not None})
            out[k] = merged
        elif k == "hours" and isinstance(v, dict):
            out[k] = {day: v.get(day) or [] for day in DAYS}
        else:
            out[k] = v
    return out


# --------------------------------------------------------------------------- business time

class Calendar:
    def __init__(self, pol: dict):
        self.pol = pol
        self.always = pol["hours"] == "24x7"
        self.tz = ZoneInfo(pol["timezone"])
        self.hours = pol["hours"] if not self.always else None
        self.holidays = set(pol["holidays"] or [])
        self.frs_us = round(pol["first_response_s"] * US)
        self._days: dict[date, list[tuple[int, int]]] = {}
        self.ever_opens = self.always or any(self.hours.get(d) for d in DAYS)

    def day(self, d: date):
        r = self._days.get(d)
        if r is None:
            r = []
            if d.isoformat() not in self.holidays:
                for st, en in self.hours.get(DAYS[d.weekday()]) or []:
                    s, e = local_to_us(d, st, self.tz), local_to_us(d, en, self.tz)
                    if e > s:
                        r.append((s, e))
                r.sort()
            self._days[d] = r
        return r

    def intervals(self, a: int, b: int | None):
        """Merged open intervals intersecting [a, b) (b None: unbounded), in order."""
        d = us_to_local(a, self.tz).date() - timedelta(days=1)
        last = us_to_local(b, self.tz).date() + timedelta(days=1) if b is not None else None
        cur_s = cur_e = None
        n = 0
        while last is None or d <= last:
            for s, e in self.day(d):
                s, e = max(s, a), (e if b is None else min(e, b))
                if e <= s:
                    continue
                if cur_e is not None and s <= cur_e:
                    cur_e = max(cur_e, e)
                else:
                    if cur_e is not None:
                        yield cur_s, cur_e
                    cur_s, cur_e = s, e
            d += timedelta(days=1)
            n += 1
            if last is None and n > 366 * 400:  # dues beyond ~400 years are not looked for
                break
        if cur_e is not None:
            yield cur_s, cur_e

    def business(self, a: int, b: int) -> int:
        if b <= a:
            return 0
        if self.always:
            return b - a
        return sum(e - s for s, e in self.intervals(a, b))

    def due(self, a: int) -> int | None:
        need = self.frs_us
        if self.always:
            return a + need
        if not self.ever_opens:
            return None
        acc = 0
        for s, e in self.intervals(a, None):
            if acc + (e - s) >= need:
                return s + (need - acc)
            acc += e - s
        return None


# --------------------------------------------------------------------------- the log

REQUIRED = {
    "member.joined": {"member": str},
    "member.role_assigned": {"member": str, "role": ("expert", "moderator")},
    "member.role_revoked": {"member": str, "role": ("expert", "moderator")},
    "post.published": {"post": str, "author": str,
                       "kind": ("engaging", "educational", "promotional", "ugc")},
    "comment.posted": {"comment": str, "post": str, "author": str},
    "reaction.added": {"target": str, "member": str},
    "reaction.removed": {"target": str, "member": str},
    "post.shared": {"post": str, "member": str},
    "post.saved": {"post": str, "member": str},
    "poll.voted": {"post": str, "member": str, "option": None},
    "moderation.flagged": {"target": str, "member": str,
                           "reason": ("toxic", "spam", "offtopic", "rate_limit", "stop_word")},
    "moderation.actioned": {"target": str, "member": str,
                            "action": ("hide", "warn", "slow_mode", "mute", "ban")},
    "ticket.opened": {"ticket": str, "member": str},
    "ticket.replied": {"ticket": str, "by": str, "staff": bool},
    "ticket.escalated": {"ticket": str, "team": str},
    "ticket.resolved": {"ticket": str},
    "ticket.reopened": {"ticket": str},
    "idea.proposed": {"idea": str, "author": str, "title": str},
    "idea.voted": {"idea": str, "member": str},
    "idea.unvoted": {"idea": str, "member": str},
    "idea.estimated": {"idea": str, "impact": int, "cost": int},
    "idea.status_changed": {"idea": str, "status": ("open", "under_review", "planned",
                                                     "in_progress", "shipped", "declined")},
    "idea.merged": {"idea": str, "into": str},
    "announcement.published": {"announcement": str, "ideas": list, "notified": list},
    "policy.set": {"name": ("sla", "community", "content", "product"), "value": dict},
}


def valid_event(ev) -> bool:
    if not isinstance(ev, dict) or not isinstance(ev.get("data"), dict):
        return False
    if not isinstance(ev.get("type"), str) or not isinstance(ev.get("stream"), str):
        return False
    try:
        parse_instant(ev["time"])
    except Exception:
        return False
    req = REQUIRED.get(ev["type"])
    if req is None:
        return True
    data = ev["data"]
    for k, t in req.items():
        v = data.get(k)
        if v is None:
            return False
        if t is None:
            continue
        if isinstance(t, tuple):
            if v not in t:
                return False
        elif t is int:
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v != int(v) or not 1 <= v <= 5:
                return False
        elif t is bool:
            if not isinstance(v, bool):
                return False
        elif not isinstance(v, t) or isinstance(v, bool):
            return False
    if ev["type"] == "policy.set" and not validate_policy(data["name"], data["value"]):
        return False
    return True


class Ev:
    __slots__ = ("pos", "t", "type", "d")

    def __init__(self, pos, t, typ, d):
        self.pos, self.t, self.type, self.d = pos, t, typ, d

    def key(self):
        return (self.t, self.pos)


def load_events(path) -> list[Ev]:
    out, seen = [], set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            ev = json.loads(line)
            if not valid_event(ev):
                continue
            eid = ev.get("id")
            if eid is not None:
                if eid in seen:
                    continue  # duplicate (the generators only repeat identical events)
                seen.add(eid)
            out.append(Ev(len(out) + 1, parse_instant(ev["time"]), ev["type"], ev["data"]))
    return out


class World:
    """The events as of T (and at position P), in (time, position) order, with policies."""

    def __init__(self, events, T, P=None, override=None):
        self.T = T
        self.evs = sorted((e for e in events if e.t <= T and (P is None or e.pos <= P)),
                          key=Ev.key)
        self.override = override or {}
        self.policy_sets = {n: [] for n in DEFAULTS}
        for e in self.evs:
            if e.type == "policy.set":
                self.policy_sets[e.d["name"]].append((e.t, e.d["value"]))

    def policy(self, name, t):
        if name in self.override:
            return effective_policy(name, self.override[name])
        v = None
        for pt, pv in self.policy_sets[name]:
            if pt <= t:
                v = pv
            else:
                break
        return effective_policy(name, v)


def g(d, k, default=None):
    v = d.get(k)
    return default if v is None else v


def contribution(e: Ev):
    """(member, hero-weight key) of a contribution, or None."""
    t, d = e.type, e.d
    # READING: every post.published event is a contribution (and counts in `ugc`), also a
    # second one with an id already published; "the first is the post" is said for content only.
    if t == "post.published":
        m, w = d["author"], "post"
    elif t == "comment.posted":
        m, w = d["author"], "comment"
    elif t == "idea.proposed":
        m, w = d["author"], "idea"
    elif t in ("reaction.added", "poll.voted", "post.shared", "idea.voted"):
        m, w = d["member"], "other"
    else:
        return None
    if m == BRAND:
        return None
    return m, w


# --------------------------------------------------------------------------- statistics

def nearest_rank(sorted_vals, p: Fraction):
    n = len(sorted_vals)
    if n == 0:
        return None
    k = max(1, math.ceil(p * n))
    return sorted_vals[k - 1]


def stats(vals):
    vals = sorted(vals)
    if not vals:
        return {"count": 0, "mean_s": None, "median_s": None, "p90_s": None}
    return {"count": len(vals), "mean_s": math.fsum(vals) / len(vals),
            "median_s": nearest_rank(vals, Fraction(1, 2)),
            "p90_s": nearest_rank(vals, Fraction(9, 10))}


def ratio(a, b):
    return None if b == 0 else a / b


# --------------------------------------------------------------------------- support

def support_tickets(w: World, frm=None, to=None):
    tickets = {}
    for e in w.evs:
        if e.type == "ticket.opened":
            tid = e.d["ticket"]
            if tid not in tickets:
                tickets[tid] = {"ticket": tid, "member": e.d["member"], "opened": e.t,
                                "fr": None, "last_rr": None, "last_resolved": None,
                                "teams": set(), "escalated": False}
    for e in w.evs:
        if not e.type.startswith("ticket.") or e.type == "ticket.opened":
            continue
        tk = tickets.get(e.d.get("ticket"))
        if tk is None:
            continue
        if e.type == "ticket.replied":
            if e.d["staff"] is True and tk["fr"] is None:
                tk["fr"] = e.t
        elif e.type == "ticket.escalated":
            tk["escalated"] = True
            tk["teams"].add(e.d["team"])
        elif e.type == "ticket.resolved":
            tk["last_rr"] = "resolved"
            tk["last_resolved"] = e.t
        elif e.type == "ticket.reopened":
            tk["last_rr"] = "reopened"
    out = []
    for tk in tickets.values():
        o = tk["opened"]
        if frm is not None and not o > frm:
            continue
        if to is not None and not o <= to:
            continue
        cal = Calendar(w.policy("sla", o))
        status = "resolved" if tk["last_rr"] == "resolved" else "open"
        if tk["fr"] is not None:
            frt = cal.business(o, max(o, tk["fr"]))
            sla = "met" if frt <= cal.frs_us else "breached"
            due = None
        else:
            frt = None
            end = tk["last_resolved"] if status == "resolved" else w.T
            if cal.business(o, end) > cal.frs_us:
                sla = "breached"
            else:
                sla = "met" if status == "resolved" else "pending"
            due = cal.due(o)
        res = cal.business(o, tk["last_resolved"]) if status == "resolved" else None
        out.append({"ticket": tk["ticket"], "member": tk["member"], "opened": o,
                    "status": status, "sla": sla, "frt": frt, "escalated": tk["escalated"],
                    "teams": sorted(tk["teams"], key=_b), "resolution": res, "due": due})
    out.sort(key=lambda x: (x["opened"], _b(x["ticket"])))
    return out


def _b(s: str) -> bytes:
    return s.encode("utf-8")


def q_support_sla(w, frm, to):
    ts = support_tickets(w, frm, to)
    met = sum(t["sla"] == "met" for t in ts)
    br = sum(t["sla"] == "breached" for t in ts)
    pe = sum(t["sla"] == "pending" for t in ts)
    resolved = [t for t in ts if t["status"] == "resolved"]
    return {"as_of": fmt_instant(w.T), "tickets": len(ts), "met": met, "breached": br,
            "pending": pe, "attainment": ratio(met, met + br),
            "first_response": stats([secs(t["frt"]) for t in ts if t["frt"] is not None]),
            "open": len(ts) - len(resolved), "resolved": len(resolved),
            "escalated": sum(t["escalated"] for t in ts),
            "resolved_without_escalation": ratio(sum(not t["escalated"] for t in resolved),
                                                 len(resolved)),
            "resolution": stats([secs(t["resolution"]) for t in resolved])}


def q_support_tickets(w, frm, to):
    return {"tickets": [{"ticket": t["ticket"], "member": t["member"],
                         "opened": fmt_instant(t["opened"]), "status": t["status"],
                         "sla": t["sla"], "frt_s": None if t["frt"] is None else secs(t["frt"]),
                         "escalated": t["escalated"], "teams": t["teams"],
                         "resolution_s": None if t["resolution"] is None else secs(t["resolution"])}
                        for t in support_tickets(w, frm, to)]}


def q_support_backlog(w, frm, to):
    ts = [t for t in support_tickets(w, frm, to) if t["status"] == "open"]
    ts.sort(key=lambda t: (t["due"] is None, t["due"] or 0, t["opened"], _b(t["ticket"])))
    return {"tickets": [{"ticket": t["ticket"], "member": t["member"],
                         "opened": fmt_instant(t["opened"]), "sla": t["sla"],
                         "due": fmt_instant(t["due"])} for t in ts]}


# --------------------------------------------------------------------------- community

def community_state(w: World):
    pol = w.policy("community", w.T)
    T = w.T
    wstart = T - round(pol["window_days"] * DAY_US)
    first_seen, contrib_w, last_active, contribs = {}, {}, {}, {}
    roles = {}  # (member, role) -> bool assigned
    for e in w.evs:
        c = contribution(e)
        if c is not None:
            m = c[0]
            first_seen.setdefault(m, e.t)
            contribs.setdefault(m, []).append(e.t)
            last_active[m] = e.t
            if e.t > wstart:
                contrib_w[m] = contrib_w.get(m, 0) + 1
        elif e.type in ("member.joined", "member.role_assigned"):
            m = e.d["member"]
            if m != BRAND:
                first_seen.setdefault(m, e.t)
        if e.type in ("member.role_assigned", "member.role_revoked"):
            roles[(e.d["member"], e.d["role"])] = e.type == "member.role_assigned"
    newcomer_cut = T - round(pol["newcomer_days"] * DAY_US)
    members = {}
    for m, fs in first_seen.items():
        n = contrib_w.get(m, 0)
        if roles.get((m, "moderator")):
            role = "moderator"
        elif roles.get((m, "expert")):
            role = "expert"
        elif fs > newcomer_cut:
            role = "newcomer"
        elif n >= pol["activist_min"]:
            role = "activist"
        elif n >= 1:
            role = "regular"
        else:
            role = "dormant"
        members[m] = {"first_seen": fs, "role": role, "n": n, "last": last_active.get(m),
                      "all": contribs.get(m, [])}
    return pol, wstart, members


def q_community_summary(w):
    pol, wstart, members = community_state(w)
    T = w.T
    active = [m for m, x in members.items() if x["n"] > 0]
    core = [m for m in active if members[m]["role"] in ("activist", "expert", "moderator")]
    rc = {r: 0 for r in ("moderator", "expert", "newcomer", "activist", "regular", "dormant")}
    for x in members.values():
        rc[x["role"]] += 1

    def ret(N):
        cohort = [x for x in members.values() if x["first_seen"] <= T - N * DAY_US]
        back = [x for x in cohort if any(t >= x["first_seen"] + N * DAY_US for t in x["all"])]
        return ratio(len(back), len(cohort))

    ugc = 0
    flags = {"total": 0, "toxic": 0, "spam": 0, "offtopic": 0, "rate_limit": 0, "stop_word": 0}
    for e in w.evs:
        if e.t <= wstart:
            continue
        if e.type == "post.published" and e.d["author"] != BRAND:
            ugc += 1
        elif e.type == "moderation.flagged":
            flags["total"] += 1
            flags[e.d["reason"]] += 1
    return {"as_of": fmt_instant(T), "members": len(members), "active": len(active),
            "roles": rc, "core_share": ratio(len(core), len(members)),
            "d7_return": ret(7), "d30_return": ret(30), "ugc": ugc, "flags": flags}


def q_community_members(w):
    pol, wstart, members = community_state(w)
    return {"members": [{"member": m, "first_seen": fmt_instant(x["first_seen"]), "role": x["role"],
                         "contributions": x["n"], "last_active": fmt_instant(x["last"])}
                        for m, x in sorted(members.items(), key=lambda kv: _b(kv[0]))]}


_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def q_community_heroes(w, week=None):
    pol = w.policy("community", w.T)
    tz = ZoneInfo(pol["timezone"])
    if week is None:
        y, wk, _ = us_to_local(w.T, tz).isocalendar()
    else:
        m = _WEEK.match(week)
        y, wk = int(m.group(1)), int(m.group(2))
    monday = date.fromisocalendar(y, wk, 1)
    # READING: the week is [Monday 00:00, next Monday 00:00) local, start included.
    start = local_to_us(monday, "00:00", tz)
    end = local_to_us(monday + timedelta(days=7), "00:00", tz)
    weights = pol["hero_weights"]
    score = {}
    for e in w.evs:
        if not (start <= e.t < end):
            continue
        c = contribution(e)
        if c is None:
            continue
        score[c[0]] = score.get(c[0], 0) + weights[c[1]]
    ranked = sorted(score.items(), key=lambda kv: (-kv[1], _b(kv[0])))[:10]
    return {"week": f"{y:04d}-W{wk:02d}",
            "heroes": [{"member": m, "score": s} for m, s in ranked]}


# --------------------------------------------------------------------------- content

MIX_KINDS = ("engaging", "ugc", "educational", "promotional")


def q_content_mix(w, frm=None, to=None):
    pol = w.policy("content", w.T)
    tz = ZoneInfo(pol["timezone"])
    to = w.T if to is None else to
    frm = to - 30 * DAY_US if frm is None else frm
    first = {}
    for e in w.evs:
        if e.type == "post.published" and e.d["post"] not in first:
            first[e.d["post"]] = e
    posts = [e for e in first.values() if frm < e.t <= to]
    brand = [e for e in posts if e.d["author"] == BRAND]
    counts = {k: 0 for k in MIX_KINDS}
    for e in posts:
        counts[e.d["kind"] if e.d["author"] == BRAND else "ugc"] += 1
    mix = {k: ratio(counts[k], len(posts)) for k in MIX_KINDS}
    target = pol["targets"]
    dev = {k: None if mix[k] is None else (mix[k] - target[k]) * 100 for k in MIX_KINDS}
    per_day = {}
    for e in brand:
        dd = us_to_local(e.t, tz).date().isoformat()
        per_day[dd] = per_day.get(dd, 0) + 1
    over = [{"date": dd, "posts": n} for dd, n in sorted(per_day.items())
            if n > pol["max_brand_posts_per_day"]]
    unl = sorted((e.d["post"] for e in brand
                  if e.d["kind"] == "promotional" and g(e.d, "ad_label", False) is not True), key=_b)
    vid = sorted((e.d["post"] for e in brand
                  if g(e.d, "format") == "video" and g(e.d, "captions", False) is not True), key=_b)
    eng = {e.d["post"]: 0 for e in posts}
    for e in w.evs:
        if e.type == "reaction.added":
            p = e.d["target"]
        elif e.type in ("comment.posted", "post.shared", "post.saved", "poll.voted"):
            p = e.d["post"]
        else:
            continue
        if p in eng:
            eng[p] += 1
    top = sorted(eng.items(), key=lambda kv: (-kv[1], _b(kv[0])))[:10]
    hours = [0] * 24
    for e in w.evs:
        if frm < e.t <= to and contribution(e) is not None:
            hours[us_to_local(e.t, tz).hour] += 1
    best = None if max(hours) == 0 else hours.index(max(hours))
    return {"as_of": fmt_instant(w.T), "from": fmt_instant(frm), "to": fmt_instant(to),
            "posts": len(posts), "brand_posts": len(brand), "mix": mix, "target": target,
            "deviation_pp": dev,
            "next_step_share": ratio(sum(g(e.d, "next_step", "none") != "none" for e in brand),
                                     len(brand)),
            "days_over_limit": over, "unlabeled_promotions": unl,
            "videos_without_captions": vid,
            "top_posts": [{"post": p, "engagement": n} for p, n in top], "best_hour": best}


def _has_utm_source(link: str) -> bool:
    from urllib.parse import urlsplit
    query = urlsplit(link).query
    return any(part.split("=", 1)[0] == "utm_source" for part in query.split("&") if part)


def q_content_check(w, draft):
    """`parley content check DRAFT.json`: {"ok", "checks": [{"name", "ok"}]} (message free)."""
    pol = w.policy("content", w.T)
    tz = ZoneInfo(pol["timezone"])
    if isinstance(draft.get("data"), dict) and "type" in draft:
        data = draft["data"]
        t = parse_instant(draft["time"]) if draft.get("time") else w.T
    else:
        data, t = draft, w.T
    author = g(data, "author", BRAND)
    checks = [
        ("next_step", g(data, "next_step", "none") != "none"),
        ("ad_label", g(data, "kind") != "promotional" or g(data, "ad_label", False) is True),
        ("captions", g(data, "format") != "video" or g(data, "captions", False) is True),
        ("utm", all(_has_utm_source(x) for x in g(data, "links", []))),
        ("stop_words", not any(sw.lower() in g(data, "text", "").lower() for sw in pol["stop_words"])),
    ]
    # READING: the log's posts are those as of T (first post.published per id); a link has a
    # utm_source parameter when its query has a `utm_source` name, with or without `=`.
    if author != BRAND:
        checks.append(("daily_limit", True))
    else:
        day = us_to_local(t, tz).date()
        first = {}
        for e in w.evs:
            if e.type == "post.published" and e.d["post"] not in first:
                first[e.d["post"]] = e
        n = sum(1 for p, e in first.items() if e.d["author"] == BRAND and p != data.get("post")
                and us_to_local(e.t, tz).date() == day)
        checks.append(("daily_limit", n + 1 <= pol["max_brand_posts_per_day"]))
    return {"ok": all(ok for _, ok in checks),
            "checks": [{"name": n, "ok": ok} for n, ok in checks]}


# --------------------------------------------------------------------------- product

def product_state(w: World):
    pol = w.policy("product", w.T)
    ideas = {}
    merged_into = {}
    status, shipped_at, estimate = {}, {}, {}
    votes = {}   # idea -> {member: bool}
    anns = []    # (t, ideas, notified)
    proposed_by_T = {e.d["idea"] for e in w.evs if e.type == "idea.proposed"}
    # READING: votes, statuses and estimates count as of T even when timed before the idea's
    # first idea.proposed (a backfill); those of ideas never proposed count nowhere.
    for e in w.evs:
        d = e.d
        if e.type == "idea.proposed":
            if d["idea"] not in ideas:
                ideas[d["idea"]] = {"title": d["title"], "author": d["author"], "proposed": e.t}
        elif e.type == "idea.status_changed":
            status[d["idea"]] = d["status"]
            shipped_at[d["idea"]] = e.t
        elif e.type == "idea.estimated":
            estimate[d["idea"]] = (d["impact"], d["cost"])
        elif e.type in ("idea.voted", "idea.unvoted"):
            if d["member"] != BRAND:
                votes.setdefault(d["idea"], {})[d["member"]] = e.type == "idea.voted"
        elif e.type == "idea.merged":
            x, y = d["idea"], d["into"]
            # READING (ambiguous, as the CLI): merging an idea never proposed as of T is ignored
            # (it is no idea: "An idea exists from its first idea.proposed").
            if y not in ideas or x not in proposed_by_T:
                continue
            # would it close a cycle?  follow y's chain (x's own link about to be replaced)
            cur, cyc, seen = y, False, set()
            while True:
                if cur == x:
                    cyc = True
                    break
                if cur in seen:
                    break
                seen.add(cur)
                if cur not in merged_into:
                    break
                cur = merged_into[cur]
            if cyc:
                continue
            merged_into[x] = y
        elif e.type == "announcement.published":
            anns.append((e.t, d["ideas"], d["notified"]))

    def end(x):
        while x in merged_into:
            x = merged_into[x]
        return x

    voters = {i: set() for i in ideas}
    merged_authors = {i: set() for i in ideas}
    for i, vs in votes.items():
        tgt = end(i)
        if tgt in voters:
            voters[tgt] |= {m for m, v in vs.items() if v}
    for x in merged_into:
        tgt = end(x)
        if tgt in merged_authors and x in ideas:
            merged_authors[tgt].add(ideas[x]["author"])
    rows = []
    for i, info in ideas.items():
        if i in merged_into:
            continue
        st = status.get(i, "open")
        imp, cost = estimate.get(i, (None, None))
        if imp is None:
            q = "unestimated"
        else:
            high, low = imp >= pol["impact_high"], cost <= pol["cost_low"]
            q = ("quick_win" if low else "major_project") if high else \
                ("fill_in" if low else "thankless")
        rows.append({"idea": i, "title": info["title"], "author": info["author"], "status": st,
                     "votes": len(voters[i]), "impact": imp, "cost": cost, "quadrant": q,
                     "proposed": info["proposed"]})
    rows.sort(key=lambda r: (-r["votes"], r["proposed"], _b(r["idea"])))
    return pol, ideas, merged_into, status, shipped_at, voters, merged_authors, anns, rows


def _idea_row(r):
    r = dict(r)
    r["proposed"] = fmt_instant(r["proposed"])
    return r


def q_product_ideas(w):
    return {"ideas": [_idea_row(r) for r in product_state(w)[-1]]}


def q_product_matrix(w):
    rows = product_state(w)[-1]
    out = {k: [] for k in ("quick_win", "major_project", "fill_in", "thankless", "unestimated")}
    for r in rows:
        if r["status"] in ("open", "under_review", "planned", "in_progress"):
            out[r["quadrant"]].append(r["idea"])
    return out


def q_product_loop(w):
    pol, ideas, merged_into, status, shipped_at, voters, mauth, anns, rows = product_state(w)
    shipped = [r for r in rows if r["status"] == "shipped"]
    closed = 0
    days = []
    open_loops = []
    for r in shipped:
        i = r["idea"]
        listing = [a for a in anns if i in a[1]]
        owed = {ideas[i]["author"]} | mauth[i] | voters[i]
        for a in listing:
            owed -= set(a[2])
        owed.discard(BRAND)
        sat = shipped_at[i]
        if listing:
            days.append(max(0, listing[0][0] - sat) / DAY_US)
        if listing and not owed:
            closed += 1
        else:
            open_loops.append({"idea": i, "shipped_at": sat, "owed": sorted(owed, key=_b)})
    open_loops.sort(key=lambda o: (o["shipped_at"], _b(o["idea"])))
    for o in open_loops:
        o["shipped_at"] = fmt_instant(o["shipped_at"])
    return {"shipped": len(shipped), "closed": closed, "closure_rate": ratio(closed, len(shipped)),
            "median_days_to_announce": nearest_rank(sorted(days), Fraction(1, 2)),
            "open_loops": open_loops}


def q_product_proposals(w):
    pol, ideas, merged_into, status, *_ = product_state(w)
    tz = ZoneInfo(pol["timezone"])
    months = {}
    for i, info in ideas.items():
        mo = us_to_local(info["proposed"], tz).strftime("%Y-%m")
        p, v = months.get(mo, (0, 0))
        ok = status.get(i, "open") != "declined" and i not in merged_into
        months[mo] = (p + 1, v + ok)
    return {"months": [{"month": mo, "proposed": p, "valid": v}
                       for mo, (p, v) in sorted(months.items())]}


# --------------------------------------------------------------------------- entry

def run(events, view, query, as_of, at_position=None, frm=None, to=None, week=None,
        policy=None, draft=None):
    w = World(events, as_of, at_position, policy)
    key = (view, query)
    if key == ("content", "check"):
        return q_content_check(w, draft)
    if key == ("support", "sla"):
        return q_support_sla(w, frm, to)
    if key == ("support", "tickets"):
        return q_support_tickets(w, frm, to)
    if key == ("support", "backlog"):
        return q_support_backlog(w, frm, to)
    if key == ("community", "summary"):
        return q_community_summary(w)
    if key == ("community", "members"):
        return q_community_members(w)
    if key == ("community", "heroes"):
        return q_community_heroes(w, week)
    if key == ("content", "mix"):
        return q_content_mix(w, frm, to)
    if key == ("product", "ideas"):
        return q_product_ideas(w)
    if key == ("product", "matrix"):
        return q_product_matrix(w)
    if key == ("product", "loop"):
        return q_product_loop(w)
    if key == ("product", "proposals"):
        return q_product_proposals(w)
    raise SystemExit(f"unknown query {view} {query}")


def main(argv):
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("events")
    ap.add_argument("view")
    ap.add_argument("query")
    ap.add_argument("--as-of", required=True)
    ap.add_argument("--at-position", type=int)
    ap.add_argument("--from", dest="frm")
    ap.add_argument("--to")
    ap.add_argument("--week")
    ap.add_argument("--policy")
    ap.add_argument("--draft", help="for content check: the draft file")
    a = ap.parse_args(argv)
    pol = json.load(open(a.policy)) if a.policy else None
    out = run(load_events(a.events), a.view, a.query, parse_instant(a.as_of), a.at_position,
              parse_instant(a.frm) if a.frm else None, parse_instant(a.to) if a.to else None,
              a.week, pol, json.load(open(a.draft)) if a.draft else None)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
