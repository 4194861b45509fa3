import { describe, expect, it } from "vitest";
import { upperMedian } from "../../lib/math/index";

describe("upperMedian", () => {
  it("is the middle of the sorted values, the upper middle for an even count, and leaves its input alone", () => {
    const xs = [5, 1, 4, 2, 3];
    expect(upperMedian(xs)).toBe(3);
    expect(xs).toEqual([5, 1, 4, 2, 3]);
    expect(upperMedian([0.4, 0.1, 0.3, 0.2])).toBe(0.3);
    expect(upperMedian([10, 9])).toBe(10); // numeric order, not string order ("10" < "9")
    expect(upperMedian([7])).toBe(7);
  });
});
