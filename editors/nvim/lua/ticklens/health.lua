-- :checkhealth ticklens: Neovim's version, the server binary and its version, attached clients.

local M = {}

local health = vim.health or require("health")
local start = health.start or health.report_start
local ok = health.ok or health.report_ok
local info = health.info or health.report_info
local warn = health.warn or health.report_warn
local fail = health.error or health.report_error

function M.check()
  start("ticklens")

  if vim.fn.has("nvim-0.9") == 1 then
    ok("Neovim " .. tostring(vim.version()))
  else
    fail("Neovim 0.9 or later is needed")
  end

  local cmd = require("ticklens").cmd()
  if type(cmd) ~= "table" or type(cmd[1]) ~= "string" then
    warn("the server command is not a list of strings; cannot check the binary", { vim.inspect(cmd) })
    return
  end
  local binary = vim.fn.exepath(cmd[1])
  if binary == "" then
    fail(("`%s` is not executable or not on PATH"):format(cmd[1]), {
      "Build and install it from the ticklens repository: cargo install --path server",
      'Or point the plugin at it: require("ticklens").setup({ cmd = { "/path/to/ticklens", "lsp" } })',
    })
    return
  end
  local output = vim.fn.system({ binary, "--version" })
  local version = vim.v.shell_error == 0 and output:match("^ticklens (%S+)") or nil
  if not version then
    fail(("`%s --version` did not answer as ticklens: %s"):format(binary, vim.trim(output)))
    return
  end
  ok(("found %s (ticklens %s)"):format(binary, version))

  local clients = (vim.lsp.get_clients or vim.lsp.get_active_clients)({ name = "ticklens" })
  if #clients == 0 then
    info("no ticklens server is running (open a JavaScript or TypeScript file)")
  else
    for _, client in ipairs(clients) do
      info(("server %d running for %s"):format(client.id, client.config.root_dir or "no root"))
    end
  end
end

return M
