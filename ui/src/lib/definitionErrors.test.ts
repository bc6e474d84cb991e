import { describe, expect, it } from "vitest";
import { offsetOf } from "./definitionErrors";

describe("definition errors", () => {
  it("finds the offset of a line and column", () => {
    const text = "a: 1\nbb: 2\n\nc: 3";
    expect(offsetOf(text, 2, 1)).toBe(5);
    expect(offsetOf(text, 2, 4)).toBe(8);
    expect(offsetOf(text, 4, 99)).toBe(text.length);
    expect(offsetOf(text, 99, 1)).toBe(text.lastIndexOf("c"));
  });
});
