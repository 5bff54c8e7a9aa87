"""What the domain apps tell workflows, so that workflows imports none of them.

Each app registers, in its AppConfig.ready():
- **deadline providers**: `provider(now)` yields the `Deadline`s whose reminders could be due
  around `now` (the sweep turns them into outbox rows);
- **sweep steps**: state changes that come with time (a call closing at its closing second, a
  report opening when its period ends), run by the deadline sweep before the reminders;
- **composers**: `composer(notification)` says what a notification of one kind says, to its
  recipient, when it is delivered.

Registration is idempotent per name, so a second `ready()` (tests, autoreload) changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workflows.messages import Message
    from workflows.models import Notification


@dataclass(frozen=True)
class Deadline:
    key: str
    kind: str
    at: dt.datetime
    zone: str
    title: str
    url: str
    owners: tuple[int, ...]
    managers: tuple[int, ...]
    offsets: tuple[tuple[int, str], ...] = ()
    manager_url: str = ""
    owner_urls: dict[int, str] = field(default_factory=dict)  # a page of one's own, if any


DeadlineProvider = Callable[[dt.datetime], Iterable[Deadline]]
SweepStep = Callable[[], int]
Composer = Callable[["Notification"], "Message"]


@dataclass(frozen=True)
class Step:
    key: str  # in the task's result: {"calls_closed": 2, …}
    label: str  # in the command's output: "calls closed: 2"
    run: SweepStep


_providers: dict[str, DeadlineProvider] = {}
_steps: dict[str, Step] = {}
_composers: dict[str, Composer] = {}


def register_deadlines(name: str, provider: DeadlineProvider) -> None:
    _providers[name] = provider


def register_sweep_step(key: str, label: str, run: SweepStep) -> None:
    _steps[key] = Step(key=key, label=label, run=run)


def register_composer(kind: str, composer: Composer) -> None:
    _composers[str(kind)] = composer


def deadline_providers() -> tuple[DeadlineProvider, ...]:
    return tuple(_providers.values())


def sweep_steps() -> tuple[Step, ...]:
    return tuple(_steps.values())


def composer_for(kind: str) -> Composer:
    try:
        return _composers[str(kind)]
    except KeyError:
        raise LookupError(
            f"No app registered a composer for notifications of kind {kind!r}."
        ) from None
