-- Headless Neovim test of the ticklens plugin against the real server.
--
--   TICKLENS_BIN=/path/to/ticklens nvim --headless --clean -l editors/nvim/test/ticklens_spec.lua MODE
--
-- MODE is "setup" (require("ticklens").setup(), the 0.9+ path) or "enable" (vim.lsp.enable, the 0.11+
-- path through lsp/ticklens.lua). Every wait is vim.wait(ms, predicate); nothing sleeps.

--- What the hover on the fixture's first `await` must say: its resume tick, from the ordering engine.
local AWAIT_HOVER_PHRASE = "Resumes on microtask tick 1 after"
local RULE_CODE = "async-promise-executor"
--- The rule's own fix for the fixture's executor (not the "Ignore ... on this line" suppression),
--- and the line it leaves.
local QUICK_FIX_TITLE = "Remove `async` from the executor (it never awaits)"
local FIXED_LINE = "  return new Promise((resolve) => {"
local TS_FIXED_LINE = "  return new Promise<string>((resolve) => {"
local TIMEOUT_MS = 20000

local mode = arg[1] or "setup"
local bin = assert(os.getenv("TICKLENS_BIN"), "TICKLENS_BIN must be set")
local this_file = debug.getinfo(1, "S").source:sub(2)
local plugin_dir = vim.fs.dirname(vim.fs.dirname(vim.fn.fnamemodify(this_file, ":p")))
local repo_root = vim.fs.dirname(vim.fs.dirname(plugin_dir))
local fixture = repo_root .. "/editors/fixtures/project/promise.js"
local ts_fixture = repo_root .. "/editors/fixtures/project/promise.ts"

vim.opt.runtimepath:prepend(plugin_dir)
vim.cmd.runtime("plugin/ticklens.lua")
vim.cmd("filetype on")

local ticklens = require("ticklens")

local passed, failed = 0, 0
local function test(name, body)
  local ok, err = xpcall(body, debug.traceback)
  if ok then
    passed = passed + 1
    io.stdout:write(("ok - [%s] %s\n"):format(mode, name))
  else
    failed = failed + 1
    io.stdout:write(("not ok - [%s] %s\n%s\n"):format(mode, name, err))
  end
end

local function wait_for(what, predicate)
  local value
  local done = vim.wait(TIMEOUT_MS, function()
    value = predicate()
    return value ~= nil and value ~= false
  end, 50)
  assert(done, ("timed out after %d ms waiting for %s"):format(TIMEOUT_MS, what))
  return value
end

local function ticklens_diagnostic(bufnr)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.source == "ticklens" and d.code == RULE_CODE then
      return d
    end
  end
end

--- The scratch buffer's expected lines, from the CLI, so the test follows the engine as it grows.
local function expected_order(file)
  local result = vim.system({ bin, "order", file }, { text = true }):wait()
  if result.code == 0 then
    local lines = vim.split(result.stdout, "\n", { plain = true })
    table.remove(lines) -- the text ends with a newline
    return ticklens.render_order({ lines = lines })
  end
  assert(result.code == 3, ("ticklens order exited with %d: %s"):format(result.code, result.stderr))
  local reason = result.stderr:match("^ticklens: cannot predict the order: .-:%d+:%d+: ([^\n]*)")
    or result.stderr:match("^ticklens: cannot predict the order: ([^\n]*)")
  return ticklens.render_order({ abstained = assert(reason, result.stderr) })
end

--- Hovers the first `await` of `bufnr` and checks the server's explanation, with its resume tick.
local function check_await_hover(bufnr)
  local line, col
  for i, text in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    col = not text:find("^%s*//") and text:find("await", 1, true) or nil
    if col then
      line = i - 1
      break
    end
  end
  assert(line, "the fixture has an await")
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = { line = line, character = col } }
  local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/hover", params, TIMEOUT_MS)
  local text
  for _, response in pairs(responses or {}) do
    if response.result and response.result.contents then
      text = response.result.contents.value
    end
  end
  assert(text, "no hover: " .. vim.inspect(responses))
  assert(text:find("**await**", 1, true), text)
  assert(text:find(AWAIT_HOVER_PHRASE, 1, true), text)
end

--- Runs :TicklensOrder in `bufnr`, the buffer of `file`, and checks the scratch split against the CLI.
local function check_order_split(bufnr, file)
  local expected = expected_order(file)
  vim.api.nvim_set_current_buf(bufnr)
  vim.cmd("TicklensOrder")
  local order_buf = wait_for("the order scratch buffer", function()
    local b = vim.api.nvim_get_current_buf()
    return vim.api.nvim_buf_get_name(b):find("^ticklens://order/") and b or nil
  end)
  assert(vim.deep_equal(vim.api.nvim_buf_get_lines(order_buf, 0, -1, false), expected),
    vim.inspect({ shown = vim.api.nvim_buf_get_lines(order_buf, 0, -1, false), expected = expected }))
  assert(vim.bo[order_buf].buftype == "nofile")
  assert(not vim.bo[order_buf].modifiable)
  assert(#vim.api.nvim_tabpage_list_wins(0) == 2, "the order opens in a split beside the source")
  vim.cmd("close")
end

--- Runs :TicklensTimeline in `bufnr`, the buffer of `file`: the split shows the CLI's steps (its
--- JSON rendered), and <CR> on a printed line moves the source window's cursor to that line.
local function check_timeline_split(bufnr, file, expected_lines)
  local result = vim.system({ bin, "order", file, "--timeline", "--format", "json" }, { text = true }):wait()
  assert(result.code == 0, result.stderr)
  local expected = ticklens.render_timeline(vim.json.decode(result.stdout))
  vim.api.nvim_set_current_buf(bufnr)
  local source_win = vim.api.nvim_get_current_win()
  vim.api.nvim_win_set_cursor(source_win, { 1, 0 })
  vim.cmd("TicklensTimeline")
  local timeline_buf = wait_for("the timeline scratch buffer", function()
    local b = vim.api.nvim_get_current_buf()
    return vim.api.nvim_buf_get_name(b):find("^ticklens://timeline/") and b or nil
  end)
  local shown = vim.api.nvim_buf_get_lines(timeline_buf, 0, -1, false)
  assert(vim.deep_equal(shown, expected), vim.inspect({ shown = shown, expected = expected }))
  for i, line in ipairs(expected_lines) do
    assert(shown[i] == line, vim.inspect({ line = i, shown = shown[i], expected = line }))
  end
  assert(vim.bo[timeline_buf].buftype == "nofile")
  assert(not vim.bo[timeline_buf].modifiable)
  assert(#vim.api.nvim_tabpage_list_wins(0) == 2, "the timeline opens in a split beside the source")
  -- <CR> on the last printed line ("> A", printed by line 16) jumps there in the source.
  local last = #shown
  while not shown[last]:find("> ", 1, true) do
    last = last - 1
  end
  vim.api.nvim_win_set_cursor(0, { last, 0 })
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes("<CR>", true, false, true), "x", false)
  assert(vim.api.nvim_get_current_win() == source_win, "<CR> goes to the source window")
  local target = tonumber(shown[last]:match("line (%d+)"))
  assert(vim.api.nvim_win_get_cursor(source_win)[1] == target,
    vim.inspect({ cursor = vim.api.nvim_win_get_cursor(source_win), target = target }))
  vim.api.nvim_set_current_win(vim.fn.bufwinid(timeline_buf))
  vim.cmd("close")
end

--- Applies the rule's quick-fix in `bufnr`, checks the line it leaves and that the diagnostic goes.
local function apply_quick_fix(bufnr, fixed_line)
  local d = wait_for("a ticklens diagnostic", function()
    return ticklens_diagnostic(bufnr)
  end)
  local current = assert(ticklens.client(bufnr))
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = {
      start = { line = d.lnum, character = d.col },
      ["end"] = { line = d.end_lnum, character = d.end_col },
    },
    context = { diagnostics = { d.user_data.lsp }, only = { "quickfix" } },
  }
  -- Asked of the running client only: a restarted server's predecessor may still be listed.
  local response = current:request_sync("textDocument/codeAction", params, TIMEOUT_MS, bufnr)
  local action
  for _, candidate in ipairs(response and response.result or {}) do
    if candidate.kind == "quickfix" and candidate.title == QUICK_FIX_TITLE then
      action = candidate
    end
  end
  assert(action, "no quick-fix titled " .. QUICK_FIX_TITLE .. ": " .. vim.inspect(response))
  assert(action.isPreferred, "the rule's fix comes before the suppression")
  vim.lsp.util.apply_workspace_edit(action.edit, current.offset_encoding)
  local fixed = vim.api.nvim_buf_get_lines(bufnr, d.lnum, d.lnum + 1, false)[1]
  assert(fixed == fixed_line, ("the fixed line reads %q"):format(fixed))
  wait_for("the diagnostic to go once the quick-fix is applied", function()
    return ticklens_diagnostic(bufnr) == nil
  end)
end

if mode == "setup" then
  -- The rule override reaches the server as initializationOptions.rules.
  ticklens.setup({ cmd = { bin, "lsp" }, rules = { [RULE_CODE] = "error" } })
elseif mode == "enable" then
  vim.lsp.config("ticklens", { cmd = { bin, "lsp" } })
  vim.lsp.enable("ticklens")
else
  error("unknown mode " .. mode)
end

vim.cmd.edit(fixture)
local source_buf = vim.api.nvim_get_current_buf()
local client

test("attaches to a JavaScript buffer with the project as root", function()
  assert(vim.bo[source_buf].filetype == "javascript", vim.bo[source_buf].filetype)
  client = wait_for("the ticklens client to attach", function()
    return ticklens.client(source_buf)
  end)
  assert(client.config.root_dir == vim.fs.dirname(fixture), client.config.root_dir)
end)

test("lsp/ticklens.lua and setup() share their defaults", function()
  local config = dofile(plugin_dir .. "/lsp/ticklens.lua")
  assert(vim.deep_equal(config.cmd, ticklens.defaults.cmd))
  assert(vim.deep_equal(config.filetypes, ticklens.defaults.filetypes))
  assert(vim.deep_equal(config.root_markers, ticklens.defaults.root_markers))
end)

test("publishes the async-promise-executor diagnostic", function()
  local d = wait_for("a ticklens diagnostic", function()
    return ticklens_diagnostic(source_buf)
  end)
  assert(vim.api.nvim_buf_get_lines(source_buf, d.lnum, d.lnum + 1, false)[1]:find("new Promise", 1, true))
  if mode == "setup" then
    assert(d.severity == vim.diagnostic.severity.ERROR, "setup({ rules }) should raise it to an error")
  end
end)

test("shows inlay hints by default", function()
  wait_for("inlay hints to be enabled in the buffer", function()
    return vim.lsp.inlay_hint.is_enabled({ bufnr = source_buf })
  end)
end)

test(":help ticklens opens the plugin's help at its tag", function()
  vim.cmd("help ticklens")
  local help_buf = vim.api.nvim_get_current_buf()
  assert(vim.api.nvim_buf_get_name(help_buf) == plugin_dir .. "/doc/ticklens.txt", vim.api.nvim_buf_get_name(help_buf))
  assert(vim.api.nvim_get_current_line():find("*ticklens*", 1, true), vim.api.nvim_get_current_line())
  vim.cmd("help ticklens-inlay-hints")
  assert(vim.api.nvim_get_current_line():find("*ticklens-inlay-hints*", 1, true), vim.api.nvim_get_current_line())
  vim.cmd("helpclose")
end)

test("doc/tags is what :helptags makes of doc/ticklens.txt", function()
  local copy = vim.fn.tempname()
  vim.fn.mkdir(copy, "p")
  vim.fn.writefile(vim.fn.readfile(plugin_dir .. "/doc/ticklens.txt"), copy .. "/ticklens.txt")
  vim.cmd.helptags(vim.fn.fnameescape(copy))
  local fresh = vim.fn.readfile(copy .. "/tags")
  vim.fn.delete(copy, "rf")
  assert(vim.deep_equal(vim.fn.readfile(plugin_dir .. "/doc/tags"), fresh),
    "doc/tags is stale: run nvim --headless -c 'helptags editors/nvim/doc' -c q")
end)

test("hovers an await with the server's explanation", function()
  check_await_hover(source_buf)
end)

test(":TicklensOrder shows the predicted order in a scratch split", function()
  check_order_split(source_buf, fixture)
end)

test(":TicklensTimeline shows the predicted run's steps in a split, <CR> jumps to a line", function()
  check_timeline_split(source_buf, fixture, {
    "sync         line 1    sync",
    "             line 5    > load a",
    "             line 17   > sync",
    "microtask 1  line 4    tick 1: promise reaction (await in load() at line 6)",
  })
end)

test(":checkhealth ticklens finds the binary and its version", function()
  local version = vim.trim(vim.system({ bin, "--version" }, { text = true }):wait().stdout)
  vim.cmd("checkhealth ticklens")
  local report = wait_for("the health report", function()
    for _, b in ipairs(vim.api.nvim_list_bufs()) do
      if vim.bo[b].filetype == "checkhealth" then
        local text = table.concat(vim.api.nvim_buf_get_lines(b, 0, -1, false), "\n")
        if text:find(version, 1, true) then
          return text
        end
      end
    end
  end)
  assert(report:find("OK found " .. bin, 1, true), report)
  assert(not report:find("ERROR", 1, true), report)
  vim.cmd("tabclose")
end)

test(":TicklensRestart starts a new server that publishes again", function()
  vim.api.nvim_set_current_buf(source_buf)
  local old_id = client.id
  vim.diagnostic.reset(nil, source_buf)
  vim.cmd("TicklensRestart")
  local new_client = wait_for("a new ticklens client", function()
    local c = ticklens.client(source_buf)
    return c and c.id ~= old_id and c or nil
  end)
  assert(new_client.name == "ticklens")
  wait_for("diagnostics from the new server", function()
    return ticklens_diagnostic(source_buf)
  end)
end)

test("applies the rule's quick-fix, which removes `async` and resolves the diagnostic", function()
  apply_quick_fix(source_buf, FIXED_LINE)
end)

-- The same features on a TypeScript buffer (the server parses it by its language id).
vim.cmd.edit(ts_fixture)
local ts_buf = vim.api.nvim_get_current_buf()

test("attaches to a TypeScript buffer", function()
  assert(vim.bo[ts_buf].filetype == "typescript", vim.bo[ts_buf].filetype)
  wait_for("the ticklens client to attach to the TypeScript buffer", function()
    return ticklens.client(ts_buf)
  end)
end)

test("publishes the async-promise-executor diagnostic in TypeScript", function()
  local d = wait_for("a ticklens diagnostic in the TypeScript buffer", function()
    return ticklens_diagnostic(ts_buf)
  end)
  assert(vim.api.nvim_buf_get_lines(ts_buf, d.lnum, d.lnum + 1, false)[1]:find("new Promise<string>", 1, true))
end)

test("hovers an await in TypeScript with its resume tick", function()
  check_await_hover(ts_buf)
end)

test(":TicklensOrder predicts the TypeScript file's order", function()
  check_order_split(ts_buf, ts_fixture)
end)

test("applies the quick-fix in TypeScript, keeping the type arguments", function()
  apply_quick_fix(ts_buf, TS_FIXED_LINE)
end)

for _, c in ipairs(vim.lsp.get_clients({ name = "ticklens" })) do
  c:stop()
end
vim.wait(5000, function()
  return #vim.lsp.get_clients({ name = "ticklens" }) == 0
end, 50)

io.stdout:write(("%d passed, %d failed\n"):format(passed, failed))
os.exit(failed == 0 and 0 or 1)
