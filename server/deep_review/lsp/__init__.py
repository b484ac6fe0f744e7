"""The language server (``deep-review serve``): the review as diagnostics, quick fixes, commands.

What editors can rely on (the VS Code extension and the Neovim tests drive exactly this):

Settings, section ``deepReview`` (``initializationOptions`` as ``{"deepReview": {...}}`` or the
bare section, then ``workspace/configuration``; re-read on ``workspace/didChangeConfiguration``):
``reviewers`` (ReviewerConfig tables merged by name over the repository's), ``baseRef``,
``runMode`` (``manual`` | ``onSave``), ``debounceMs`` (onSave, default 1500),
``includeUncommitted``, ``minimumSeverity`` (``critical`` | ``important`` | ``suggestion``).

Commands (``workspace/executeCommand``; a finding ID may be ``"I2"`` or ``{"findingId": "I2"}``):
- ``deepReview.run`` [``{"useCache": false}``] → ``{"status": "queued"}`` at once. While a review
  runs, another run is refused (``{"status": "already-running"}`` and a message): cancel first.
- ``deepReview.cancel`` → ``{"status": "cancelled"}`` once stopped, ``{"status": "idle"}``.
- ``deepReview.generateReport`` → ``{"md": path, "html": path}``; opens the HTML externally
  (``window/showDocument``), the Markdown in the editor if that fails.
- ``deepReview.applyFix`` ID → ``workspace/applyEdit``; ``{"applied": bool, "reason"?}``.
- ``deepReview.dismiss`` ID (or ``{"findingId", "reason"?}``) → ``{"dismissed": ID}``; hidden
  now and in later rounds (even reworded, while its code is unchanged); reports list the reason.
- ``deepReview.showFinding`` ID → ``window/showDocument`` with the selection;
  ``{"uri", "range", "shown"}``.
- ``deepReview.openInReport`` ID → opens the HTML report at the finding.

Notifications: ``$/progress`` (server-created, cancellable token) and ``deepReview/status``
``{"state": "idle"|"running"|"done"|"failed", "stage", "reviewers": [{"name", "state",
"toolCalls", "elapsedS", "findings", "error"?}], "counts": {severity: n}, "message"?,
"round": "round 2: 5 addressed, 2 open, 1 new" | null}`` (``round`` from round 2 on).

Clients with dynamic file-watch registration are asked to watch ``**/.deep-review/cache/*.json``:
a review saved from the command line for the same change then replaces the one on screen.

Diagnostics: ``source`` "deep-review", ``code`` the finding ID, message "title (agents)";
streamed ones are "[unverified] title (reviewer)" with ``data.preliminary``. From round 2 on a
finding that continues a prior one ends "— round 1 S5, unaddressed" (``data.prior``); addressed
prior findings are simply not shown; hover adds the finding's history across rounds.
"""
