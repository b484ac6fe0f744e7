import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SerialQueue } from "../src/serialQueue";

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe("SerialQueue", () => {
  it("never overlaps two tasks, and keeps their order", async () => {
    const queue = new SerialQueue();
    const events: string[] = [];
    let running = 0;
    const task = (name: string, ms: number) => async () => {
      running += 1;
      assert.equal(running, 1, `${name} overlapped another task`);
      events.push(`start ${name}`);
      await delay(ms);
      events.push(`end ${name}`);
      running -= 1;
      return name;
    };
    const results = await Promise.all([queue.run(task("a", 30)), queue.run(task("b", 1)), queue.run(task("c", 10))]);
    assert.deepEqual(results, ["a", "b", "c"]);
    assert.deepEqual(events, ["start a", "end a", "start b", "end b", "start c", "end c"]);
  });

  it("goes on after a task fails, and reports that failure to its caller only", async () => {
    const queue = new SerialQueue();
    const failed = queue.run(() => Promise.reject(new Error("no server")));
    const next = queue.run(() => Promise.resolve("started"));
    await assert.rejects(failed, /no server/);
    assert.equal(await next, "started");
    await queue.idle();
  });

  it("idle waits for every queued task", async () => {
    const queue = new SerialQueue();
    let done = false;
    void queue.run(async () => {
      await delay(20);
      done = true;
    });
    await queue.idle();
    assert.equal(done, true);
  });
});
