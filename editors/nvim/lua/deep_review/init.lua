-- Deep Review for Neovim (>= 0.7): starts `deep-review serve` for git repositories and adds
-- :DeepReview, :DeepReviewCancel, :DeepReviewReport, :DeepReviewApplyFix, :DeepReviewDismiss.
-- All review logic lives in the server; this file only wires it into the built-in LSP client.
local M = {}

M.name = "deep_review"
M.source = "deep-review"

local defaults = {
  -- The command that starts the language server (nil: found, see M.resolve_cmd).
  cmd = nil,
  -- The `deep-review` executable, or the folder of a Deep Review clone set up with
  -- `bash scripts/setup.sh` (its `.venv/bin/deep-review` is used). nil: found automatically.
  server_path = nil,
  -- Extra environment for the server (e.g. { ANTHROPIC_API_KEY = os.getenv("MY_KEY") }).
  cmd_env = nil,
  -- The `deepReview` settings: reviewers, baseRef, runMode, includeUncommitted, minimumSeverity.
  settings = {},
  -- Start the server for every file buffer inside a git repository.
  autostart = true,
  -- Open the HTML report in the browser (vim.ui.open / xdg-open) when it is generated.
  open_report_in_browser = true,
  -- Echo progress ($/progress) and status messages.
  notify_progress = true,
}

M.config = vim.deepcopy(defaults)
-- Latest `deepReview/status` payload per repository root.
M.statuses = {}
-- Commands waiting for the server's first status (it sends one once it has found the repository).
local pending = {}
local roots_by_dir = {}

local function notify(message, level)
  vim.notify("[deep-review] " .. message, level or vim.log.levels.INFO)
end

local function is_list(value)
  if vim.islist then
    return vim.islist(value)
  end
  return vim.tbl_islist(value)
end

--- The git toplevel containing `path` (a file or folder), or nil outside a repository.
function M.git_root(path)
  local dir = vim.fn.isdirectory(path) == 1 and path or vim.fn.fnamemodify(path, ":p:h")
  if roots_by_dir[dir] ~= nil then
    return roots_by_dir[dir] or nil
  end
  local out = vim.fn.systemlist({ "git", "-C", dir, "rev-parse", "--show-toplevel" })
  local root = (vim.v.shell_error == 0 and out[1] and out[1] ~= "") and out[1] or false
  roots_by_dir[dir] = root
  return root or nil
end

local function get_clients(filter)
  if vim.lsp.get_clients then
    return vim.lsp.get_clients(filter)
  end
  local clients = vim.lsp.get_active_clients(filter and { bufnr = filter.bufnr } or nil)
  if filter and filter.name then
    clients = vim.tbl_filter(function(c)
      return c.name == filter.name
    end, clients)
  end
  return clients
end

--- The Deep Review client attached to `bufnr` (default: current buffer), or nil.
function M.client(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local attached = get_clients({ bufnr = bufnr, name = M.name })
  if attached[1] then
    return attached[1]
  end
  local root = M.git_root(vim.api.nvim_buf_get_name(bufnr))
  for _, client in ipairs(get_clients({ name = M.name })) do
    if client.config.root_dir == root then
      return client
    end
  end
  return nil
end

-- Progress titles by token: reports repeat only the message.
local progress_titles = {}
-- The last progress line echoed, so identical ticks are not echoed again.
local last_progress = nil

local function progress_text(result)
  local value = result.value or {}
  if value.kind == "begin" then
    progress_titles[result.token] = value.title
  end
  local title = value.title or progress_titles[result.token]
  local text = value.message or ""
  if title and title ~= "" and not text:find(title, 1, true) then
    text = text ~= "" and (title .. ": " .. text) or title
  end
  if value.kind == "end" then
    progress_titles[result.token] = nil
    return text ~= "" and text or "done"
  end
  if value.percentage then
    text = string.format("%s (%d%%)", text, value.percentage)
  end
  return text
end

local function describe_counts(counts)
  counts = counts or {}
  local suggestions = counts.suggestion or 0
  return string.format(
    "%d critical, %d important, %d suggestion%s",
    counts.critical or 0,
    counts.important or 0,
    suggestions,
    suggestions == 1 and "" or "s"
  )
end

--- A short status line for the current buffer's repository ("" when idle or unknown).
function M.statusline(bufnr)
  local client = M.client(bufnr)
  local status = client and M.statuses[client.config.root_dir]
  if not status then
    return ""
  end
  if status.state == "running" then
    return "deep-review: running"
  elseif status.state == "done" then
    local c = status.counts or {}
    local line = string.format("deep-review: C%d I%d S%d", c.critical or 0, c.important or 0, c.suggestion or 0)
    -- From round 2 on: "round 2: 5 addressed, 2 open, 1 new" (null, i.e. vim.NIL, before).
    if type(status.round) == "string" then
      line = line .. " (" .. status.round .. ")"
    end
    return line
  elseif status.state == "failed" then
    return "deep-review: failed"
  end
  return ""
end

--- The latest `deepReview/status` for the current buffer's repository (or nil).
function M.status(bufnr)
  local client = M.client(bufnr)
  return client and M.statuses[client.config.root_dir] or nil
end

local function status_handler(_, result, ctx)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  if not client or type(result) ~= "table" then
    return
  end
  local root = client.config.root_dir
  local previous = M.statuses[root]
  M.statuses[root] = result
  local waiting = pending[root] or {}
  pending[root] = nil
  for _, run in ipairs(waiting) do
    run()
  end
  if M.config.notify_progress and (not previous or previous.state ~= result.state) then
    if result.state == "done" then
      local round = type(result.round) == "string" and (" (" .. result.round .. ")") or ""
      notify("review done: " .. describe_counts(result.counts) .. round)
    elseif result.state == "failed" then
      notify("review failed" .. (result.message and (": " .. result.message) or ""), vim.log.levels.ERROR)
    end
  end
  vim.api.nvim_exec_autocmds("User", { pattern = "DeepReviewStatus", modeline = false })
end

local function progress_handler(err, result, ctx, config)
  local builtin = vim.lsp.handlers["$/progress"]
  if builtin then
    builtin(err, result, ctx, config)
  end
  if M.config.notify_progress and result and type(result.value) == "table" then
    local text = progress_text(result)
    if text ~= "" and text ~= last_progress then
      last_progress = text
      vim.api.nvim_echo({ { "[deep-review] " .. text } }, false, {})
    end
  end
end

local function show_document_handler(_, result)
  if type(result) ~= "table" or not result.uri then
    return { success = false }
  end
  local path = vim.uri_to_fname(result.uri)
  if result.external or path:match("%.html$") then
    notify("report: " .. path)
    if M.config.open_report_in_browser then
      if vim.ui and vim.ui.open then
        pcall(vim.ui.open, path)
      elseif vim.fn.executable("xdg-open") == 1 then
        vim.fn.jobstart({ "xdg-open", path }, { detach = true })
      end
    end
    return { success = true }
  end
  vim.cmd("split " .. vim.fn.fnameescape(path))
  if result.selection then
    local start = result.selection.start
    pcall(vim.api.nvim_win_set_cursor, 0, { start.line + 1, start.character })
  end
  return { success = true }
end

local INSTALL_HINT = "install it from the Deep Review repository: in a clone, run `bash scripts/setup.sh`"
  .. " (it creates .venv/bin/deep-review; this plugin finds it when loaded from that clone), or pass"
  .. " setup{ server_path = '/path/to/clone' } or setup{ cmd = { '/path/to/deep-review', 'serve' } }."
  .. " (The PyPI package named deep-review is an unrelated project: do not install it from PyPI.)"

local function is_executable(file)
  return file ~= nil and file ~= "" and vim.fn.executable(file) == 1
end

-- The clone this plugin was loaded from (<clone>/editors/nvim/lua/deep_review/init.lua).
local function plugin_clone_root()
  local source = debug.getinfo(1, "S").source
  if source:sub(1, 1) ~= "@" then
    return nil
  end
  return vim.fn.fnamemodify(source:sub(2), ":p:h:h:h:h:h")
end

local function venv_server(folder)
  if folder == nil or folder == "" then
    return nil
  end
  local candidate = folder .. "/.venv/bin/deep-review"
  if is_executable(candidate) then
    return candidate
  end
  return nil
end

--- The server command: `cmd`; else `server_path` (the executable or a clone's venv); else the
--- clone this plugin was loaded from; else `deep-review` on PATH; else pipx's ~/.local/bin.
--- Returns nil and a message saying how to install it when none is found.
function M.resolve_cmd(config)
  config = config or M.config
  if config.cmd then
    return config.cmd
  end
  local path = config.server_path
  if path ~= nil and path ~= "" then
    path = vim.fn.expand(path)
    local found = (vim.fn.isdirectory(path) == 0 and is_executable(path) and path) or venv_server(path)
    if found then
      return { found, "serve" }
    end
    return nil, "server_path = " .. path .. " is neither the deep-review executable nor a clone with"
      .. " .venv/bin/deep-review; " .. INSTALL_HINT
  end
  local candidates = {
    venv_server(plugin_clone_root()),
    vim.fn.exepath("deep-review"),
    vim.fn.expand("~/.local/bin/deep-review"),
  }
  for _, candidate in ipairs(candidates) do
    if is_executable(candidate) then
      return { candidate, "serve" }
    end
  end
  return nil, "the deep-review language server was not found; " .. INSTALL_HINT
end

local warned_missing = false

-- The resolved command, or nil after telling the user (once) how to install the server.
local function server_cmd()
  local cmd, problem = M.resolve_cmd()
  if cmd == nil and not warned_missing then
    warned_missing = true
    notify(problem, vim.log.levels.ERROR)
  end
  return cmd
end

--- The handlers Deep Review adds to the client (also for nvim-lspconfig users).
function M.handlers()
  return {
    ["deepReview/status"] = status_handler,
    ["$/progress"] = progress_handler,
    ["window/showDocument"] = show_document_handler,
  }
end

--- The client configuration for the repository at `root_dir`.
function M.client_config(root_dir)
  local settings = M.config.settings or {}
  return {
    name = M.name,
    cmd = server_cmd(),
    cmd_env = M.config.cmd_env,
    root_dir = root_dir,
    workspace_folders = { { uri = vim.uri_from_fname(root_dir), name = vim.fn.fnamemodify(root_dir, ":t") } },
    init_options = settings,
    settings = { deepReview = settings },
    handlers = M.handlers(),
    flags = { debounce_text_changes = 150 },
  }
end

--- A default_config for nvim-lspconfig (`require("lspconfig.configs").deep_review`).
function M.lspconfig_default_config()
  local config = M.client_config(vim.loop.cwd())
  config.root_dir = function(fname)
    return M.git_root(fname)
  end
  config.workspace_folders = nil
  config.name = nil
  return config
end

--- A config for Neovim >= 0.11's `vim.lsp.config("deep_review", ...)` + `vim.lsp.enable`.
function M.native_config()
  local settings = M.config.settings or {}
  return {
    cmd = server_cmd(),
    cmd_env = M.config.cmd_env,
    root_markers = { ".git" },
    init_options = settings,
    settings = { deepReview = settings },
    handlers = M.handlers(),
  }
end

--- Starts (or reuses) the server for the buffer's repository and attaches the buffer.
function M.attach(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  if vim.bo[bufnr].buftype ~= "" then
    return nil
  end
  local file = vim.api.nvim_buf_get_name(bufnr)
  if file == "" then
    return nil
  end
  local root = M.git_root(file)
  if not root then
    return nil
  end
  local existing = M.client(bufnr)
  if existing and existing.config.root_dir == root then
    vim.lsp.buf_attach_client(bufnr, existing.id)
    return existing.id
  end
  local config = M.client_config(root)
  if config.cmd == nil then
    return nil -- server_cmd() has told the user how to install the server
  end
  if vim.lsp.start then
    return vim.lsp.start(config, { bufnr = bufnr })
  end
  local id = vim.lsp.start_client(config)
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

local function with_client(action)
  local client = M.client()
  if not client then
    notify("no Deep Review server for this buffer (is it inside a git repository?)", vim.log.levels.WARN)
    return
  end
  local root = client.config.root_dir
  if M.statuses[root] == nil then
    -- Still starting: run once the server has found the repository (its first status).
    pending[root] = pending[root] or {}
    table.insert(pending[root], function()
      action(client)
    end)
    return
  end
  action(client)
end

--- Runs a server command (`deepReview.*`) with `arguments`; `on_result(result)` when it answers.
function M.execute(command, arguments, on_result)
  with_client(function(client)
    local params = { command = command, arguments = arguments or {} }
    client.request("workspace/executeCommand", params, function(err, result)
      if err then
        notify(command .. " failed: " .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
        return
      end
      if on_result then
        on_result(result)
      end
    end, vim.api.nvim_get_current_buf())
  end)
end

--- The finding ID carried by a Neovim diagnostic from Deep Review (nil for others).
function M.finding_id(diagnostic)
  if diagnostic.source ~= M.source then
    return nil
  end
  local lsp = diagnostic.user_data and diagnostic.user_data.lsp or {}
  local code = diagnostic.code or lsp.code
  if type(code) == "table" then
    code = code.value
  end
  return code and tostring(code) or nil
end

--- Finding IDs on the cursor line of the current window, the one under the cursor first.
function M.findings_at_cursor()
  local bufnr = vim.api.nvim_get_current_buf()
  local cursor = vim.api.nvim_win_get_cursor(0)
  local lnum, col = cursor[1] - 1, cursor[2]
  local under, on_line = {}, {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local id = M.finding_id(d)
    local last = d.end_lnum or d.lnum
    if id and d.lnum <= lnum and lnum <= last then
      local before_end = lnum < last or col <= (d.end_col or col)
      local after_start = lnum > d.lnum or col >= d.col
      table.insert((before_end and after_start) and under or on_line, id)
    end
  end
  local ids, seen = {}, {}
  for _, id in ipairs(vim.list_extend(under, on_line)) do
    if not seen[id] then
      seen[id] = true
      table.insert(ids, id)
    end
  end
  return ids
end

local function on_finding(command, given, verb)
  if given and given ~= "" then
    M.execute(command, { given })
    return
  end
  local ids = M.findings_at_cursor()
  if #ids == 0 then
    notify("no Deep Review finding under the cursor", vim.log.levels.WARN)
  elseif #ids == 1 then
    M.execute(command, { ids[1] })
  else
    vim.ui.select(ids, { prompt = "Which finding do you want to " .. verb .. "?" }, function(id)
      if id then
        M.execute(command, { id })
      end
    end)
  end
end

--- :DeepReview — review the branch (the server answers at once and works in the background).
function M.review()
  M.execute("deepReview.run", {}, function()
    notify("review started")
  end)
end

--- :DeepReviewCancel
function M.cancel()
  M.execute("deepReview.cancel", {}, function()
    notify("review cancelled")
  end)
end

--- :DeepReviewReport — writes the Markdown and HTML report; the server asks to show it.
function M.report()
  M.execute("deepReview.generateReport", {}, function(result)
    if type(result) == "table" then
      local paths = {}
      for key, value in pairs(is_list(result) and {} or result) do
        if type(value) == "string" then
          table.insert(paths, key .. ": " .. value)
        end
      end
      if is_list(result) then
        paths = result
      end
      if #paths > 0 then
        notify("report written: " .. table.concat(paths, ", "))
      end
    end
  end)
end

--- :DeepReviewApplyFix [ID] — applies a finding's fix (default: the one under the cursor).
function M.apply_fix(id)
  on_finding("deepReview.applyFix", id, "fix")
end

--- :DeepReviewDismiss [ID] — hides a finding now and in later reviews.
function M.dismiss(id)
  on_finding("deepReview.dismiss", id, "dismiss")
end

local function create_commands()
  local command = vim.api.nvim_create_user_command
  command("DeepReview", M.review, { desc = "Deep Review: review the branch" })
  command("DeepReviewCancel", M.cancel, { desc = "Deep Review: cancel the running review" })
  command("DeepReviewReport", M.report, { desc = "Deep Review: generate the review report" })
  command("DeepReviewApplyFix", function(opts)
    M.apply_fix(opts.args)
  end, { nargs = "?", desc = "Deep Review: apply the fix of the finding under the cursor" })
  command("DeepReviewDismiss", function(opts)
    M.dismiss(opts.args)
  end, { nargs = "?", desc = "Deep Review: dismiss the finding under the cursor" })
end

--- Configures Deep Review: `setup{ cmd = {...}, settings = {...}, autostart = true }`.
function M.setup(opts)
  M.config = vim.tbl_deep_extend("force", vim.deepcopy(defaults), opts or {})
  if opts and opts.cmd then
    M.config.cmd = opts.cmd -- lists replace, not merge
  end
  create_commands()
  local group = vim.api.nvim_create_augroup("DeepReview", { clear = true })
  if M.config.autostart then
    vim.api.nvim_create_autocmd({ "BufReadPost", "BufNewFile" }, {
      group = group,
      callback = function(args)
        M.attach(args.buf)
      end,
    })
    for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(bufnr) then
        M.attach(bufnr)
      end
    end
  end
end

return M
