// An integrator's first program: the types generated from openapi/openapi.json by
// openapi-typescript, the openapi-fetch client over them, every read endpoint called
// against a running server, compiled with `tsc --strict`. Ids are taken from the
// answers (the first roadmap, its first topic, ...) rather than written here, so the
// script works on any content folder. It fails (exit 1) when a call does not answer
// 200, when an answer lacks what its type promises, or when an operation of the
// document was never called.
//
// Usage: node dist/client.js <base URL> <path of openapi.json>

import { readFileSync } from "node:fs";
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/schema.js";

type Schemas = components["schemas"];

const [base, specPath] = process.argv.slice(2);
if (!base || !specPath) {
  console.error("usage: node dist/client.js <base URL> <openapi.json>");
  process.exit(2);
}

const client = createClient<paths>({ baseUrl: base });
const called = new Set<string>();
const failures: string[] = [];
let passed = 0;

/** Records the outcome of one call; `data` is the typed body or undefined. */
function expect<T>(
  template: string,
  result: { data?: T; error?: unknown; response: Response },
  check: (data: T) => string | null,
): T | undefined {
  called.add(template);
  const { data, response } = result;
  if (response.status !== 200 || data === undefined) {
    failures.push(`${template}: HTTP ${response.status} ${JSON.stringify(result.error ?? null)}`);
    return undefined;
  }
  const problem = check(data);
  if (problem) {
    failures.push(`${template}: ${problem}`);
    return undefined;
  }
  passed += 1;
  return data;
}

const nonEmpty = (what: string, items: readonly unknown[]) =>
  items.length > 0 ? null : `no ${what}`;

function firstTopic(tree: Schemas["TopicTree"]): Schemas["TopicNode"] | undefined {
  return tree.items[0];
}

async function main(): Promise<void> {
  expect("/healthz", await client.GET("/healthz"), (h: Schemas["Health"]) =>
    h.status === "ok" ? null : `status ${h.status}`,
  );
  expect("/readyz", await client.GET("/readyz"), (r: Schemas["Ready"]) =>
    Number.isNaN(Date.parse(r.publishedAt)) ? `publishedAt ${r.publishedAt}` : null,
  );
  expect("/v1/status", await client.GET("/v1/status"), (s: Schemas["Status"]) =>
    s.version.length > 0 ? null : "no version",
  );

  // Roadmaps and best practices share their shapes: one walk for both.
  for (const kind of ["roadmaps", "best-practices"] as const) {
    const list =
      kind === "roadmaps"
        ? await client.GET("/v1/roadmaps", { params: { query: { limit: 100 } } })
        : await client.GET("/v1/best-practices", { params: { query: { limit: 100 } } });
    const page = expect(`/v1/${kind}`, list, (p: Schemas["Page_RoadmapSummary"]) =>
      nonEmpty(kind, p.items),
    );
    const id = page?.items[0]?.id;
    if (!id) continue;
    const path = { id };
    const detail =
      kind === "roadmaps"
        ? await client.GET("/v1/roadmaps/{id}", { params: { path } })
        : await client.GET("/v1/best-practices/{id}", { params: { path } });
    expect(`/v1/${kind}/{id}`, detail, (d: Schemas["RoadmapDetail"]) =>
      d.id === id ? null : `asked ${id}, got ${d.id}`,
    );
    const faqs =
      kind === "roadmaps"
        ? await client.GET("/v1/roadmaps/{id}/faqs", { params: { path } })
        : await client.GET("/v1/best-practices/{id}/faqs", { params: { path } });
    expect(`/v1/${kind}/{id}/faqs`, faqs, (p: Schemas["Page_Faq"]) =>
      p.items.every((f) => typeof f.html === "string") ? null : "an answer without html",
    );
    const related =
      kind === "roadmaps"
        ? await client.GET("/v1/roadmaps/{id}/related", { params: { path } })
        : await client.GET("/v1/best-practices/{id}/related", { params: { path } });
    expect(`/v1/${kind}/{id}/related`, related, (p: Schemas["Page_RelatedRoadmap"]) =>
      p.total >= p.items.length ? null : "total below the page",
    );
    const topics =
      kind === "roadmaps"
        ? await client.GET("/v1/roadmaps/{id}/topics", { params: { path } })
        : await client.GET("/v1/best-practices/{id}/topics", { params: { path } });
    const tree = expect(`/v1/${kind}/{id}/topics`, topics, (t: Schemas["TopicsResponse"]) =>
      "roadmapId" in t ? nonEmpty("topics", t.items) : "the tree was asked, a page came",
    );
    const flat =
      kind === "roadmaps"
        ? await client.GET("/v1/roadmaps/{id}/topics", { params: { path, query: { flat: true } } })
        : await client.GET("/v1/best-practices/{id}/topics", {
            params: { path, query: { flat: true } },
          });
    expect(`/v1/${kind}/{id}/topics?flat`, flat, (t: Schemas["TopicsResponse"]) =>
      "roadmapId" in t ? "a tree came for flat=true" : nonEmpty("topics", t.items),
    );
    const topic = tree && "roadmapId" in tree ? firstTopic(tree) : undefined;
    if (!topic) continue;
    const topicPath = { id, topicId: topic.id };
    const one =
      kind === "roadmaps"
        ? await client.GET("/v1/roadmaps/{id}/topics/{topicId}", { params: { path: topicPath } })
        : await client.GET("/v1/best-practices/{id}/topics/{topicId}", {
            params: { path: topicPath },
          });
    // Topics also answer text/markdown and text/plain: the type says so, JSON is the default.
    expect(`/v1/${kind}/{id}/topics/{topicId}`, one, (t: Schemas["TopicDetail"] | string) =>
      typeof t === "string"
        ? "text where JSON is the default"
        : t.id === topic.id && t.roadmapId === id
          ? null
          : `asked ${id}/${topic.id}, got ${t.roadmapId}/${t.id}`,
    );
  }

  const guides = expect(
    "/v1/guides",
    await client.GET("/v1/guides"),
    (p: Schemas["Page_GuideSummary"]) => nonEmpty("guides", p.items),
  );
  const guide = guides?.items[0];
  if (guide) {
    expect(
      "/v1/guides/{id}",
      await client.GET("/v1/guides/{id}", { params: { path: { id: guide.id } } }),
      (g: Schemas["GuideDetail"] | string) =>
        typeof g === "string" ? "text where JSON is the default" : g.html.length > 0 ? null : "empty html",
    );
  }
  const videos = expect(
    "/v1/videos",
    await client.GET("/v1/videos"),
    (p: Schemas["Page_VideoSummary"]) => nonEmpty("videos", p.items),
  );
  const video = videos?.items[0];
  if (video) {
    expect(
      "/v1/videos/{id}",
      await client.GET("/v1/videos/{id}", { params: { path: { id: video.id } } }),
      (v: Schemas["VideoDetail"]) => (v.id === video.id ? null : `got ${v.id}`),
    );
  }
  const groups = expect(
    "/v1/question-groups",
    await client.GET("/v1/question-groups"),
    (p: Schemas["Page_QuestionGroupSummary"]) => nonEmpty("question groups", p.items),
  );
  const group = groups?.items[0];
  if (group) {
    expect(
      "/v1/question-groups/{id}",
      await client.GET("/v1/question-groups/{id}", { params: { path: { id: group.id } } }),
      (g: Schemas["QuestionGroupDetail"]) => nonEmpty("questions", g.questions),
    );
    const detail = await client.GET("/v1/question-groups/{id}", {
      params: { path: { id: group.id } },
    });
    const question = detail.data?.questions[0];
    if (question) {
      expect(
        "/v1/question-groups/{id}/questions/{questionId}",
        await client.GET("/v1/question-groups/{id}/questions/{questionId}", {
          params: { path: { id: group.id, questionId: question.id } },
        }),
        (q: Schemas["Question"]) => (q.id === question.id ? null : `asked ${question.id}, got ${q.id}`),
      );
    }
  }

  // Search for the first roadmap's title, filtered by the generated `Kind` enum.
  const roadmaps = await client.GET("/v1/roadmaps");
  const title = roadmaps.data?.items[0]?.title ?? "api";
  const kinds: Schemas["Kind"][] = ["roadmap", "topic"];
  expect(
    "/v1/search",
    await client.GET("/v1/search", {
      params: { query: { q: title, type: kinds, limit: 5, highlight: "mark" } },
    }),
    (r: Schemas["SearchResults"]) =>
      r.hits.some((h) => h.kind === "roadmap") ? null : `no roadmap hit for ${title}`,
  );
  expect(
    "/v1/suggest",
    await client.GET("/v1/suggest", { params: { query: { q: title.slice(0, 4), limit: 5 } } }),
    (s: Schemas["Suggestions"]) => nonEmpty("suggestions", s.items),
  );
  // Look up the first roadmap's first topic by its title.
  const firstId = roadmaps.data?.items[0]?.id;
  let term = "api";
  if (firstId) {
    const topics = await client.GET("/v1/roadmaps/{id}/topics", {
      params: { path: { id: firstId }, query: { flat: true } },
    });
    const data = topics.data;
    if (data && !("roadmapId" in data) && data.items[0]) term = data.items[0].title;
  }
  expect(
    "/v1/lookup",
    await client.GET("/v1/lookup", { params: { query: { term } } }),
    (l: Schemas["Lookup"] | string) =>
      typeof l === "string" ? "text where JSON is the default" : l.title.length > 0 ? null : "no title",
  );

  // The change feed is a stream: read its first event, then hang up.
  const events = await client.GET("/v1/events", { parseAs: "stream" });
  called.add("/v1/events");
  const reader = events.response.body?.getReader();
  const first = reader ? await reader.read() : undefined;
  await reader?.cancel();
  const text = first?.value ? new TextDecoder().decode(first.value) : "";
  if (events.response.status !== 200 || !text.includes("retry:")) {
    failures.push(`/v1/events: HTTP ${events.response.status}, first bytes ${JSON.stringify(text)}`);
  } else {
    passed += 1;
  }

  // Every read operation of the document was called.
  const spec = JSON.parse(readFileSync(specPath as string, "utf8")) as {
    paths: Record<string, Record<string, unknown>>;
  };
  for (const [template, operations] of Object.entries(spec.paths)) {
    if ("get" in operations && !called.has(template)) {
      failures.push(`${template}: never called`);
    }
  }

  for (const failure of failures) console.error(`FAIL ${failure}`);
  console.log(`${passed} passed, ${failures.length} failed`);
  if (failures.length > 0) process.exit(1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
