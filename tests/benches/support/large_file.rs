//! The 10,000-line JavaScript file of the editor benches (`edit_latency`,
//! `lsp_memory`): async functions with awaits and try/catch, then-chains,
//! `new Promise(async ...)` executors, `for await`, exported async functions
//! and arrow functions, classes with async methods and timers.

pub const LINES: usize = 10_000;

/// One generated function, `n` making its names unique.
fn block(kind: usize, n: usize) -> String {
    match kind {
        0 => format!(
            r#"async function loadUser{n}(id) {{
  try {{
    const user = await db.users.find(id);
    const posts = await db.posts.where({{ author: user.id, limit: {n} }});
    return {{ user, posts }};
  }} catch (error) {{
    console.error(`loadUser{n} failed for ${{id}}: ${{error.message}}`);
    return null;
  }}
}}
"#
        ),
        1 => format!(
            r#"function fetchJson{n}(url) {{
  return fetch(url)
    .then((response) => response.json())
    .then((body) => body.items.map((item) => item.id + {n}))
    .catch((error) => {{
      log.warn("fetchJson{n}", error);
      return [];
    }});
}}
"#
        ),
        2 => format!(
            r#"function readConfig{n}(path) {{
  return new Promise(async (resolve, reject) => {{
    const text = await fs.promises.readFile(path, "utf8");
    resolve(JSON.parse(text).section{n});
  }});
}}
"#
        ),
        3 => format!(
            r#"export async function pipeline{n}(input) {{
  const raw = await fetchData(input, {{ page: {n} }});
  const parsed = await parseData(raw);
  const [saved, audited] = await Promise.all([saveData(parsed), audit(parsed)]);
  for await (const chunk of stream{n}) {{
    await queue.push(chunk);
  }}
  return saved && audited;
}}
"#
        ),
        5 => format!(
            r#"export const ping{n} = async (host) => {{
  const started = Date.now();
  await fetch(`${{host}}/health?n={n}`);
  return Date.now() - started;
}};
"#
        ),
        _ => format!(
            r#"class Worker{n} {{
  async start() {{
    this.timer = setTimeout(() => this.tick(), {n});
    await this.ready;
    queueMicrotask(() => this.emit("started", "é日本"));
  }}

  async tick() {{
    const job = await this.jobs.next();
    if (!job) return;
    await job.run().finally(() => this.done++);
  }}
}}
"#
        ),
    }
}

/// A JavaScript file of exactly `LINES` lines.
pub fn generate_file() -> String {
    let mut text = String::from("import { db, fs, log, queue } from \"./deps.js\";\n\n");
    let mut n = 0;
    loop {
        let next = block(n % 6, n);
        let lines_now = text.matches('\n').count();
        if lines_now + next.matches('\n').count() + 1 > LINES {
            break;
        }
        text.push_str(&next);
        text.push('\n');
        n += 1;
    }
    while text.matches('\n').count() < LINES {
        text.push_str("// end\n");
    }
    text
}
