import { describe, expect, it } from "vitest";
import { errorsByLine, errorsToErrorSchema, generalErrors, parsePointer, problemMessageKey, toProblem } from "./problems";

describe("toProblem", () => {
  it("keeps an RFC 9457 document with its field errors", () => {
    const p = toProblem({ type: "/problems/FormInvalid", title: "FormInvalid", status: 422,
      detail: "2 fields are invalid", errors: [{ pointer: "/monthly_rent", message: "too small" }] },
    422, "Unprocessable Entity");
    expect(p.title).toBe("FormInvalid");
    expect(p.detail).toBe("2 fields are invalid");
    expect(p.errors).toEqual([{ pointer: "/monthly_rent", message: "too small" }]);
  });

  it("reads FastAPI's own validation errors (detail list with loc)", () => {
    const p = toProblem({ detail: [{ loc: ["body", "data", "city"], msg: "Field required" }] }, 422, "");
    expect(p.title).toBe("HTTP 422");
    expect(p.errors).toEqual([{ pointer: "/data/city", message: "Field required" }]);
  });

  it("does not show an HTML error page as a detail", () => {
    const p = toProblem("<html><body>502 Bad Gateway</body></html>", 502, "Bad Gateway");
    expect(p).toMatchObject({ title: "Bad Gateway", status: 502, detail: undefined });
  });

  it("keeps YAML line errors", () => {
    const p = toProblem({ title: "DefinitionInvalid", status: 422,
      errors: [{ line: 3, column: 5, message: "unknown node 'x'" }] }, 422, "");
    expect(p.errors?.[0]).toEqual({ line: 3, column: 5, message: "unknown node 'x'" });
  });
});

describe("errorsToErrorSchema", () => {
  it("puts each pointer's message on its field", () => {
    expect(errorsToErrorSchema([
      { pointer: "/monthly_rent", message: "-5 is less than the minimum of 0" },
      { pointer: "/monthly_rent", message: "second" },
      { pointer: "/address/city", message: "too short" },
    ])).toEqual({
      monthly_rent: { __errors: ["-5 is less than the minimum of 0", "second"] },
      address: { city: { __errors: ["too short"] } },
    });
  });

  it("strips the /data prefix of pointers into the request body", () => {
    expect(errorsToErrorSchema([{ pointer: "/data/city", message: "x" }])).toEqual({ city: { __errors: ["x"] } });
  });

  it("moves a jsonschema 'required' error from the parent onto the missing field", () => {
    expect(errorsToErrorSchema([{ pointer: "", message: "'store_name' is a required property" }]))
      .toEqual({ store_name: { __errors: ["'store_name' is a required property"] } });
  });

  it("addresses array items and escaped names (RFC 6901)", () => {
    expect(parsePointer("/a~1b/0/c~0d")).toEqual(["a/b", "0", "c~d"]);
    expect(errorsToErrorSchema([{ pointer: "/items/1/qty", message: "bad" }]))
      .toEqual({ items: { 1: { qty: { __errors: ["bad"] } } } });
  });

  it("puts root errors at the top and skips errors without a pointer", () => {
    const schema = errorsToErrorSchema([{ pointer: "", message: "whole form" }, { message: "general" }]);
    expect(schema).toEqual({ __errors: ["whole form"] });
    expect(generalErrors({ type: "x", title: "x", status: 422, errors: [{ message: "general" }] })).toEqual(["general"]);
  });
});

describe("errorsByLine and messages", () => {
  it("groups and sorts YAML errors by line", () => {
    const groups = errorsByLine([{ line: 9, message: "b" }, { line: 2, message: "a" }, { line: 9, message: "c" }, { message: "d" }]);
    expect(groups.map(([l, es]) => [l, es.map((e) => e.message)])).toEqual([[0, ["d"]], [2, ["a"]], [9, ["b", "c"]]]);
  });

  it("explains each status class in a sentence", () => {
    expect(problemMessageKey(0)).toBe("errors.network");
    expect(problemMessageKey(403)).toBe("errors.notPermitted");
    expect(problemMessageKey(409)).toBe("errors.conflict");
    expect(problemMessageKey(422)).toBe("errors.invalid");
    expect(problemMessageKey(503)).toBe("errors.server");
    expect(problemMessageKey(418)).toBe("errors.title");
  });
});
