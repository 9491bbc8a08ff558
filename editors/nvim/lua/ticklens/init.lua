-- ticklens for Neovim 0.9+: starts `ticklens lsp` for JavaScript and TypeScript buffers, and offers
-- :TicklensOrder, :TicklensTimeline and :TicklensRestart. Everything clever lives in the server;
-- this file only starts it, forwards options and shows its answers.
--
--   require("ticklens").setup({
--     cmd = { "ticklens", "lsp" },   -- or an absolute path to the binary
--     inlay_hints = true,             -- show inlay hints in ticklens buffers
--     code_lens = true,               -- show code lenses
--     rules = {},                     -- { ["async-promise-executor"] = "error" }; "off" silences
--   })
--
-- On Neovim 0.11+ you may instead call vim.lsp.enable("ticklens") (see lsp/ticklens.lua).
-- Either way, inlay hints and code lenses are shown by default, as in VS Code: see
-- :help ticklens-inlay-hints.

local M = {}

--- The same values as lsp/ticklens.lua (a test checks that they agree).
M.defaults = {
  cmd = { "ticklens", "lsp" },
  filetypes = { "javascript", "javascriptreact", "typescript", "typescriptreact" },
  root_markers = { "package.json", ".git" },
  inlay_hints = true,
  code_lens = true,
  rules = {},
}

local NAME = "ticklens"
local ABSTAINED_HEADING = "ticklens cannot predict what this file prints:"

---@type table|nil the options given to setup(), merged over the defaults
local options = nil

local has_011 = vim.fn.has("nvim-0.11") == 1

local function get_clients(filter)
  if vim.lsp.get_clients then
    return vim.lsp.get_clients(filter)
  end
  return vim.lsp.get_active_clients(filter)
end

-- Neovim 0.11 made client methods take `self`; 0.9 and 0.10 use plain functions.
local function client_request(client, method, params, handler, bufnr)
  if has_011 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

local function client_stop(client)
  if has_011 then
    return client:stop()
  end
  return client.stop()
end

local function client_is_stopped(client)
  if has_011 then
    return client:is_stopped()
  end
  return client.is_stopped()
end

local function notify(message, level)
  vim.notify("ticklens: " .. message, level or vim.log.levels.INFO)
end

--- The server's initializationOptions: `{ inlayHints, codeLens, rules }`.
local function init_options(opts)
  local rules = vim.tbl_isempty(opts.rules or {}) and vim.empty_dict() or opts.rules
  return { inlayHints = opts.inlay_hints, codeLens = opts.code_lens, rules = rules }
end

--- The folder that holds the nearest root marker above the buffer's file, else the file's folder.
local function root_dir(bufnr, markers)
  local file = vim.api.nvim_buf_get_name(bufnr)
  if file == "" then
    return vim.loop.cwd()
  end
  local start = vim.fs.dirname(file)
  local found = vim.fs.find(markers, { upward = true, path = start })[1]
  return found and vim.fs.dirname(found) or start
end

--- The configuration to start the server with: setup()'s, else vim.lsp.config's (0.11+), else defaults.
local function client_config(bufnr)
  if options then
    return {
      name = NAME,
      cmd = options.cmd,
      root_dir = root_dir(bufnr, options.root_markers),
      init_options = init_options(options),
      capabilities = options.capabilities,
      on_attach = options.on_attach,
    }
  end
  if has_011 and vim.lsp.config and vim.lsp.config[NAME] then
    local config = vim.deepcopy(vim.lsp.config[NAME])
    config.name = NAME
    config.root_dir = root_dir(bufnr, config.root_markers or M.defaults.root_markers)
    return config
  end
  return {
    name = NAME,
    cmd = M.defaults.cmd,
    root_dir = root_dir(bufnr, M.defaults.root_markers),
    init_options = init_options(M.defaults),
  }
end

--- The command that starts the server, as configured; used by :checkhealth.
function M.cmd()
  return client_config(vim.api.nvim_get_current_buf()).cmd
end

--- Starts (or reuses) the server for a buffer.
function M.start(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  return vim.lsp.start(client_config(bufnr), { bufnr = bufnr })
end

--- Called on LspAttach for a ticklens client (plugin/ticklens.lua registers it for both ways of
--- starting the server). Shows what the server was asked to compute: `init_options.inlayHints` and
--- `init_options.codeLens`, true unless set to false. Without this, Neovim would request nothing
--- and the server's hints would stay hidden until the user enabled them.
function M.on_attach(client, bufnr)
  local init = client.config.init_options or {}
  if init.inlayHints ~= false then
    if vim.lsp.inlay_hint and vim.lsp.inlay_hint.enable then
      vim.lsp.inlay_hint.enable(true, { bufnr = bufnr })
    else
      notify("inlay hints need Neovim 0.10 or later", vim.log.levels.WARN)
    end
  end
  if init.codeLens ~= false and client.server_capabilities.codeLensProvider then
    vim.lsp.codelens.refresh({ bufnr = bufnr })
    vim.api.nvim_create_autocmd({ "BufEnter", "InsertLeave", "TextChanged" }, {
      buffer = bufnr,
      group = vim.api.nvim_create_augroup("ticklens_codelens_" .. bufnr, { clear = true }),
      callback = function()
        vim.lsp.codelens.refresh({ bufnr = bufnr })
      end,
    })
  end
end

--- Starts ticklens for JavaScript and TypeScript buffers. Works on Neovim 0.9 and later.
function M.setup(opts)
  options = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts or {})
  local group = vim.api.nvim_create_augroup("ticklens", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = options.filetypes,
    callback = function(args)
      M.start(args.buf)
    end,
  })
  -- Buffers opened before setup() ran.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(options.filetypes, vim.bo[bufnr].filetype) then
      M.start(bufnr)
    end
  end
end

--- The running ticklens client attached to a buffer, if any. A stopped client can stay listed
--- until its process exits, so it is skipped.
function M.client(bufnr)
  for _, client in ipairs(get_clients({ name = NAME, bufnr = bufnr or vim.api.nvim_get_current_buf() })) do
    if not client_is_stopped(client) then
      return client
    end
  end
end

--- What the scratch buffer shows: the predicted lines, or the heading and the server's reason.
function M.render_order(result)
  if result.lines and result.lines ~= vim.NIL then
    return result.lines
  end
  local reason = result.abstained
  if reason == nil or reason == vim.NIL then
    reason = "the server gave no reason"
  end
  return { ABSTAINED_HEADING, reason }
end

local function show_in_scratch(source_bufnr, lines, kind)
  kind = kind or "order"
  local source = vim.api.nvim_buf_get_name(source_bufnr)
  local name = "ticklens://" .. kind .. "/" .. (source ~= "" and source or ("buffer-" .. source_bufnr))
  local old = vim.fn.bufnr("^" .. vim.fn.escape(name, "\\/.*$^~[]") .. "$")
  if old ~= -1 then
    vim.api.nvim_buf_delete(old, { force = true })
  end
  vim.cmd("rightbelow vnew")
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].buftype = "nofile"
  vim.bo[bufnr].bufhidden = "wipe"
  vim.bo[bufnr].swapfile = false
  vim.bo[bufnr].buflisted = false
  vim.api.nvim_buf_set_name(bufnr, name)
  vim.api.nvim_buf_set_lines(bufnr, 0, -1, false, lines)
  vim.bo[bufnr].modifiable = false
  vim.bo[bufnr].filetype = "ticklens" .. kind
  vim.keymap.set("n", "q", "<cmd>close<cr>", { buffer = bufnr, desc = "close the predicted " .. kind })
  return bufnr
end

--- Short lane names for the timeline buffer, by the server's lane name.
local LANE_LABELS = {
  main = "sync",
  nextTick = "nextTick",
  microtask = "microtask",
  timers = "timers",
  io = "I/O",
  check = "check",
}

--- What the timeline buffer shows for a `ticklens/timeline` answer (version 1), and for each
--- buffer line the source line `<CR>` jumps to (1-based, or nil).
function M.render_timeline(result)
  local lines, targets = {}, {}
  local function add(text, target)
    lines[#lines + 1] = text
    targets[#lines] = target
  end
  for _, step in ipairs(result.steps or {}) do
    local lane = LANE_LABELS[step.lane] or step.lane
    if step.tick ~= nil and step.tick ~= vim.NIL then
      lane = lane .. " " .. step.tick
    end
    local line = nil
    if step.range ~= nil and step.range ~= vim.NIL then
      line = step.range.start.line
    end
    add(("%-12s %-9s %s"):format(lane, line and ("line " .. line) or "-", step.cause), line)
    for _, printed in ipairs(step.printed or {}) do
      add(("%-12s %-9s > %s"):format("", "line " .. printed.line, printed.text), printed.line)
    end
  end
  local waits = result.waits or {}
  if #waits > 0 then
    add("then, in an order Node does not fix, waits on:")
    for _, wait in ipairs(waits) do
      add("  " .. wait)
    end
  end
  local stopped = result.stopped
  if stopped ~= nil and stopped ~= vim.NIL then
    local at = nil
    if stopped.at ~= nil and stopped.at ~= vim.NIL then
      at = stopped.at.line
    end
    add("stopped: " .. (at and ("line " .. at .. ": ") or "") .. stopped.reason, at)
  end
  return lines, targets
end

--- Sends `method` for the current buffer to its ticklens server; `on_result(bufnr, result)` gets
--- the answer (`{}` when empty). A buffer without a server, or a failed request, is one message.
local function request_for_current_buffer(method, on_result)
  local bufnr = vim.api.nvim_get_current_buf()
  local client = M.client(bufnr)
  if not client then
    notify("no ticklens server is attached to this buffer", vim.log.levels.ERROR)
    return
  end
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) } }
  client_request(client, method, params, function(err, result)
    if err then
      notify(method .. " failed: " .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
      return
    end
    on_result(bufnr, result or {})
  end, bufnr)
end

--- :TicklensTimeline: the predicted run as steps in lanes, in a scratch split; <CR> on a step or
--- a printed line jumps to its line in the source window.
function M.show_timeline()
  local source_win = vim.api.nvim_get_current_win()
  request_for_current_buffer("ticklens/timeline", function(bufnr, result)
    local lines, targets = M.render_timeline(result)
    local timeline_buf = show_in_scratch(bufnr, lines, "timeline")
    vim.keymap.set("n", "<CR>", function()
      local target = targets[vim.api.nvim_win_get_cursor(0)[1]]
      if target and vim.api.nvim_win_is_valid(source_win) then
        vim.api.nvim_set_current_win(source_win)
        vim.api.nvim_win_set_cursor(source_win, { target, 0 })
      end
    end, { buffer = timeline_buf, desc = "jump to the step's line" })
  end)
end

--- :TicklensOrder: asks the server for the predicted output and shows it in a scratch split.
function M.show_order()
  request_for_current_buffer("ticklens/order", function(bufnr, result)
    show_in_scratch(bufnr, M.render_order(result))
  end)
end

--- :TicklensRestart: stops every ticklens client and starts one again for the buffers they served.
function M.restart()
  local clients = vim.tbl_filter(function(client)
    return not client_is_stopped(client)
  end, get_clients({ name = NAME }))
  local buffers = {}
  for _, client in ipairs(clients) do
    for bufnr in pairs(client.attached_buffers or {}) do
      buffers[bufnr] = true
    end
    client_stop(client)
  end
  local stopped = vim.wait(5000, function()
    for _, client in ipairs(clients) do
      if not client_is_stopped(client) then
        return false
      end
    end
    return true
  end, 50)
  if not stopped then
    for _, client in ipairs(clients) do
      if has_011 then
        client:stop(true)
      else
        client.stop(true)
      end
    end
  end
  if vim.tbl_isempty(buffers) then
    buffers[vim.api.nvim_get_current_buf()] = true
  end
  local filetypes = options and options.filetypes or M.defaults.filetypes
  for bufnr in pairs(buffers) do
    if vim.api.nvim_buf_is_valid(bufnr) and vim.tbl_contains(filetypes, vim.bo[bufnr].filetype) then
      M.start(bufnr)
    end
  end
end

return M
