import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildServerEnv, isValidVariableName, maskSecrets, secretKey } from "../src/serverEnv";

describe("buildServerEnv", () => {
  it("adds stored keys on top of the editor's environment", () => {
    const env = buildServerEnv(
      { PATH: "/usr/bin", ANTHROPIC_API_KEY: "from-shell", UNSET: undefined },
      new Map([
        ["ANTHROPIC_API_KEY", "sk-ant-stored"],
        ["OPENAI_API_KEY", "sk-openai"],
      ]),
    );
    assert.deepEqual(env, {
      PATH: "/usr/bin",
      ANTHROPIC_API_KEY: "sk-ant-stored",
      OPENAI_API_KEY: "sk-openai",
    });
  });

  it("leaves out empty values and names that are not variable names", () => {
    const env = buildServerEnv({}, new Map([["GEMINI_API_KEY", ""], ["BAD NAME", "x"], ["1X", "y"]]));
    assert.deepEqual(env, {});
  });

  it("does not change the base environment", () => {
    const base = { HOME: "/root" };
    buildServerEnv(base, new Map([["OPENAI_API_KEY", "k"]]));
    assert.deepEqual(base, { HOME: "/root" });
  });
});

describe("secrets", () => {
  it("names secret storage entries per variable", () => {
    assert.equal(secretKey("OPENAI_API_KEY"), "deepReview.apiKey.OPENAI_API_KEY");
  });

  it("validates variable names", () => {
    assert.ok(isValidVariableName("MY_KEY_2"));
    assert.ok(!isValidVariableName("my-key"));
    assert.ok(!isValidVariableName(""));
  });

  it("masks every stored key value in log text", () => {
    const keys = new Map([["OPENAI_API_KEY", "sk-secret-123"]]);
    assert.equal(
      maskSecrets("failed with sk-secret-123 twice: sk-secret-123", keys),
      "failed with <OPENAI_API_KEY> twice: <OPENAI_API_KEY>",
    );
  });
});
