"""Conditional transcripts: one model name, a script per conversation chosen by its opening text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anthropic
import openai
import pytest

from deep_review.panel.scripted import ScriptedModelServer, TranscriptError
from tests.panel.conftest import TEST_KEY

READ = {"tool": "read_file", "input": {"path": "a.py"}}
TOOLS_ANTHROPIC: Any = [{"name": "read_file", "description": "read", "input_schema": {}}]
TOOLS_CHAT: Any = [{"type": "function", "function": {"name": "read_file", "parameters": {}}}]


def said(text: str) -> dict[str, str]:
    return {"text": text}


def anthropic_client(server: ScriptedModelServer) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key=TEST_KEY, base_url=server.url, max_retries=0, timeout=5)


def openai_client(server: ScriptedModelServer, *, retries: int = 0) -> openai.OpenAI:
    return openai.OpenAI(
        api_key=TEST_KEY, base_url=server.openai_url, max_retries=retries, timeout=5
    )


def ask_anthropic(server: ScriptedModelServer, system: Any, user: Any) -> str:
    reply = anthropic_client(server).messages.create(
        model="lead", max_tokens=50, system=system, messages=[{"role": "user", "content": user}]
    )
    block = reply.content[0]
    assert block.type == "text"
    return block.text


def ask_chat(server: ScriptedModelServer, messages: Any) -> str:
    reply = openai_client(server).chat.completions.create(model="lead", messages=messages)
    return reply.choices[0].message.content or ""


def test_anthropic_picks_the_script_whose_text_is_in_the_system_prompt_or_first_message(
    scripted: ScriptedModelServer,
) -> None:
    scripted.add_transcript("lead", [said("I review.")])
    scripted.add_transcript("lead", [said("I verify.")], when="Verify this finding")
    scripted.add_transcript("lead", [said("I summarise.")], when="You summarise reviews.")

    verify = ask_anthropic(scripted, "You are the lead.", "Verify this finding: C1")
    summary = ask_anthropic(
        scripted,
        [{"type": "text", "text": "You summarise reviews."}],  # system as content blocks
        [{"type": "text", "text": "Here is the review."}],
    )
    review = ask_anthropic(scripted, "You are a reviewer.", "Review this change.")

    assert (verify, summary, review) == ("I verify.", "I summarise.", "I review.")
    assert [r.when for r in scripted.requests] == [
        ("Verify this finding",),
        ("You summarise reviews.",),
        (),
    ]


def test_each_conversation_steps_through_its_own_script(scripted: ScriptedModelServer) -> None:
    scripted.add_transcript("lead", [READ, said("merge: yes")], when="MERGE")
    scripted.add_transcript("lead", [READ, said("verified")], when="VERIFY")
    client = anthropic_client(scripted)

    def converse(task: str) -> list[str]:
        messages: list[Any] = [{"role": "user", "content": task}]
        first = client.messages.create(
            model="lead", max_tokens=50, messages=messages, tools=TOOLS_ANTHROPIC
        )
        call = first.content[0]
        assert call.type == "tool_use" and call.name == "read_file"
        # The tool result holds the other script's text: only the opening chooses the script.
        result = {"type": "tool_result", "tool_use_id": call.id, "content": "# MERGE VERIFY"}
        messages += [
            {"role": "assistant", "content": first.content},
            {"role": "user", "content": [result]},
        ]
        second = client.messages.create(
            model="lead", max_tokens=50, messages=messages, tools=TOOLS_ANTHROPIC
        )
        block = second.content[0]
        assert block.type == "text"
        return [call.name, block.text]

    assert converse("VERIFY C1") == ["read_file", "verified"]
    assert converse("MERGE C1 and C2") == ["read_file", "merge: yes"]
    assert [(r.turn, r.when) for r in scripted.requests] == [
        (0, ("VERIFY",)),
        (1, ("VERIFY",)),
        (0, ("MERGE",)),
        (1, ("MERGE",)),
    ]


def test_openai_chat_matches_system_and_first_user_message_and_every_text_of_a_list(
    scripted: ScriptedModelServer,
) -> None:
    scripted.add_transcript("lead", [said("default")])
    scripted.add_transcript("lead", [said("claude's retro")], when=["retro", '"agent": "claude"'])
    scripted.add_transcript("lead", [said("codex's retro")], when=["retro", '"agent": "codex"'])

    def retro_of(agent: str) -> str:
        return ask_chat(
            scripted,
            [
                {"role": "system", "content": "Write the retro paragraph."},
                {"role": "user", "content": [{"type": "text", "text": f'{{"agent": "{agent}"}}'}]},
            ],
        )

    assert retro_of("codex") == "codex's retro"
    assert retro_of("claude") == "claude's retro"
    assert retro_of("gemini") == "default"
    # Both texts must occur: the agent alone, without "retro", is not enough.
    assert ask_chat(scripted, [{"role": "user", "content": '{"agent": "codex"}'}]) == "default"


def test_the_first_matching_script_wins_in_the_order_they_were_added(
    scripted: ScriptedModelServer,
) -> None:
    scripted.add_transcript("lead", [said("broad")], when="finding")
    scripted.add_transcript("lead", [said("narrow")], when="finding C1")

    assert ask_chat(scripted, [{"role": "user", "content": "check finding C1"}]) == "broad"


def test_a_conversation_no_script_matches_gets_a_clear_400(scripted: ScriptedModelServer) -> None:
    scripted.add_transcript("lead", [said("verified")], when="Verify this finding")

    with pytest.raises(openai.BadRequestError, match="no scripted transcript for 'lead' matches"):
        ask_chat(scripted, [{"role": "user", "content": "Summarise the review"}])
    with pytest.raises(anthropic.BadRequestError, match="Verify this finding"):
        ask_anthropic(scripted, "system", "Summarise the review")


def test_faults_count_per_conversation_so_scripts_do_not_share_retries(
    scripted: ScriptedModelServer,
) -> None:
    scripted.add_transcript("lead", [{"status": 500}, said("verified after a retry")], when="V")
    scripted.add_transcript("lead", [said("summary")], when="S")
    client = openai_client(scripted, retries=2)

    summary = client.chat.completions.create(
        model="lead", messages=[{"role": "user", "content": "S"}]
    )
    verified = client.chat.completions.create(
        model="lead", messages=[{"role": "user", "content": "V"}]
    )

    assert summary.choices[0].message.content == "summary"
    assert verified.choices[0].message.content == "verified after a retry"
    assert [(r.when, r.attempt) for r in scripted.requests] == [
        (("S",), 0),
        (("V",), 0),
        (("V",), 1),
    ]


def test_responses_api_matches_instructions_and_input(scripted: ScriptedModelServer) -> None:
    scripted.add_transcript("lead", [said("verified")], when="Verify this finding")
    scripted.add_transcript("lead", [said("narrated")], when="lead reviewer")
    client = openai_client(scripted)

    by_input = client.responses.create(model="lead", input="Verify this finding: I1")
    by_instructions = client.responses.create(
        model="lead",
        instructions="You are the lead reviewer.",
        input=[{"role": "user", "content": [{"type": "input_text", "text": "Narrate."}]}],
    )

    assert (by_input.output_text, by_instructions.output_text) == ("verified", "narrated")


def test_a_transcript_folder_holds_conditional_scripts_beside_plain_ones(tmp_path: Path) -> None:
    (tmp_path / "a-reviewer.json").write_text(json.dumps([said("plain list of steps")]))
    (tmp_path / "lead.json").write_text(
        json.dumps(
            [
                {"model": "a-reviewer", "when": "Verify", "steps": [said("verified")]},
                {"model": "a-reviewer", "when": ["Summarise", "C1"], "steps": [said("summary")]},
            ]
        )
    )
    (tmp_path / "other.json").write_text(
        json.dumps({"model": "other", "when": "Narrate", "steps": [said("narrated")]})
    )

    with ScriptedModelServer(tmp_path) as server:

        def ask(model: str, text: str) -> str:
            reply = openai_client(server).chat.completions.create(
                model=model, messages=[{"role": "user", "content": text}]
            )
            return reply.choices[0].message.content or ""

        assert ask("a-reviewer", "Review") == "plain list of steps"
        assert ask("a-reviewer", "Verify I2") == "verified"
        assert ask("a-reviewer", "Summarise C1") == "summary"
        assert ask("a-reviewer", "Summarise I2") == "plain list of steps"
        assert ask("other", "Narrate claude") == "narrated"
        models = [m.id for m in openai_client(server).models.list()]
        assert models == ["a-reviewer", "other"]


def test_two_default_scripts_for_one_model_are_refused_naming_both_files(tmp_path: Path) -> None:
    (tmp_path / "m.json").write_text(json.dumps([said("one")]))
    (tmp_path / "n.json").write_text(json.dumps({"model": "m", "steps": [said("two")]}))

    with pytest.raises(TranscriptError, match=r"two scripts .*default.*m\.json, n\.json"):
        ScriptedModelServer(tmp_path)


@pytest.mark.parametrize("when", ["", 3, [], ["ok", ""]])
def test_a_when_that_is_not_text_is_refused(tmp_path: Path, when: object) -> None:
    (tmp_path / "m.json").write_text(json.dumps({"when": when, "steps": [said("x")]}))

    with pytest.raises(TranscriptError, match="'m': when must be a non-empty text"):
        ScriptedModelServer(tmp_path)


def test_adding_a_script_replaces_only_the_one_with_the_same_condition(
    scripted: ScriptedModelServer,
) -> None:
    scripted.add_transcript("lead", [said("old default")])
    scripted.add_transcript("lead", [said("old verify")], when="Verify")
    scripted.add_transcript("lead", [said("new verify")], when="Verify")
    scripted.add_transcript("lead", [said("new default")])

    assert ask_chat(scripted, [{"role": "user", "content": "Verify"}]) == "new verify"
    assert ask_chat(scripted, [{"role": "user", "content": "Review"}]) == "new default"
