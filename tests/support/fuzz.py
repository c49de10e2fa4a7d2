"""Schemathesis against the backend's OpenAPI document: generated requests for every operation,
valid and invalid, each answer checked against the document. Used by the test (small budget, in
process) and by `bench/fuzz.py` (larger budget, a real server).

    report = fuzz(schemathesis.openapi.from_asgi("/openapi.json", app), authorizations, examples=10)
    assert report.server_errors == 0 and not report.violations
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

# What must hold for every answer: no 5xx, only documented statuses, bodies and headers as
# documented, invalid requests refused, required headers required, no auth ignored.
# Left out: `positive_data_acceptance` (the server is rightly stricter than JSON Schema can say:
# HTML and control characters refused, Vietnamese phone numbers, services that exist) and the
# stateful checks (they need links the document has no reason to carry).
CHECK_NAMES = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "missing_required_header",
    "ignored_auth",
)


@dataclass
class FuzzReport:
    requests: int = 0
    server_errors: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    violations: list[str] = field(default_factory=list)

    def summary(self) -> str:
        codes = ", ".join(f"{status}: {count}" for status, count in sorted(self.statuses.items()))
        errors, violations = self.server_errors, len(self.violations)
        return f"{self.requests} requests, {errors} with 5xx, {violations} violations ({codes})"


def _checks() -> list[Any]:
    import schemathesis
    from schemathesis.specs.openapi import checks

    return [schemathesis.checks.not_a_server_error] + [getattr(checks, name) for name in CHECK_NAMES[1:]]


def fuzz(
    schema: Any,
    authorizations: Iterator[str | None],
    *,
    examples: int,
    derandomize: bool = True,
    base_url: str | None = None,
    skip: frozenset[str] = frozenset({"POST /api/v1/auth/logout"}),
) -> FuzzReport:
    """Run `examples` generated requests per operation and per mode (valid, invalid); each request
    carries the next of `authorizations` (an Authorization header value, or None for none).
    Each failing operation and mode is one violation (hypothesis stops it at its first failure).
    Logging out is skipped: it would end the staff tokens the other requests carry."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode

    report = FuzzReport()
    checks = _checks()
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label in skip:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=examples,
                deadline=None,
                derandomize=derandomize,
                database=None,
                suppress_health_check=list(HealthCheck),
                report_multiple_bugs=False,
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case: Any) -> None:
                authorization = next(authorizations)
                headers = {"Authorization": authorization} if authorization else {}
                response = case.call(base_url=base_url, headers=headers)
                report.requests += 1
                report.statuses[response.status_code] += 1
                if response.status_code >= 500:
                    report.server_errors += 1
                case.validate_response(response, checks=checks, headers=headers)

            try:
                run()
            except Unsatisfiable:
                pass  # nothing to send in this mode (no invalid request for an operation without input)
            except Exception as failure:  # a check failed (one or a group of them): keep it, go on
                _record(report, operation.label, mode.value, failure)
            except BaseException as failure:  # schemathesis' FailureGroup is a BaseExceptionGroup
                if isinstance(failure, (KeyboardInterrupt, SystemExit)):
                    raise
                _record(report, operation.label, mode.value, failure)
    return report


def _record(report: FuzzReport, label: str, mode: str, failure: BaseException) -> None:
    text = " ".join(str(failure).split())[:600]
    report.violations.append(f"{label} [{mode}]: {type(failure).__name__}: {text}")
