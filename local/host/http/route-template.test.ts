import { describe, expect, it } from "vitest";
import { compileRoute, RouteTemplateError } from "./route-template";

describe("compileRoute", () => {
  it("matches literals case-insensitively and extracts parameters", () => {
    const route = compileRoute("orders/{id}/lines/{line}");
    expect(route.match("Orders/42/LINES/7")).toEqual({ id: "42", line: "7" });
    expect(route.match("orders/42/lines")).toBeUndefined();
    expect(route.match("orders/42/lines/7/extra")).toBeUndefined();
  });

  it("applies constraints", () => {
    const route = compileRoute("items/{id:int}");
    expect(route.match("items/12")).toEqual({ id: "12" });
    expect(route.match("items/abc")).toBeUndefined();
    expect(compileRoute("c/{code:alpha:length(3)}").match("c/abc")).toEqual({ code: "abc" });
    expect(compileRoute("c/{code:alpha:length(3)}").match("c/abcd")).toBeUndefined();
    expect(compileRoute("g/{id:guid}").match("g/6f9619ff-8b86-d011-b42d-00c04fc964ff")).toEqual({ id: "6f9619ff-8b86-d011-b42d-00c04fc964ff" });
    expect(compileRoute("g/{id:guid}").match("g/not-a-guid")).toBeUndefined();
    expect(compileRoute("r/{n:range(1,5)}").match("r/9")).toBeUndefined();
    expect(compileRoute("x/{v:regex(^[a-c]+$)}").match("x/abc")).toEqual({ v: "abc" });
  });

  it("supports optional, default and catch-all parameters", () => {
    const optional = compileRoute("products/{category:alpha}/{id:int?}");
    expect(optional.match("products/shoes")).toEqual({ category: "shoes" });
    expect(optional.match("products/shoes/3")).toEqual({ category: "shoes", id: "3" });
    expect(compileRoute("p/{page=1}").match("p")).toEqual({ page: "1" });
    expect(compileRoute("files/{*rest}").match("files/a/b%20c.txt")).toEqual({ rest: "a/b c.txt" });
    expect(compileRoute("files/{*rest}").match("files")).toEqual({});
  });

  it("rejects malformed templates with a clear error", () => {
    expect(() => compileRoute("a/{id:nosuch}")).toThrow(RouteTemplateError);
    expect(() => compileRoute("a/{*rest}/b")).toThrow(/catch-all/);
  });
});
