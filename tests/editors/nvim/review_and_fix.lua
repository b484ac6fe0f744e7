-- Headless Neovim scenario, driven by tests/editors/test_neovim.py through environment variables:
--   DEEP_REVIEW_PLUGIN  the editors/nvim folder (put on the runtimepath)
--   DEEP_REVIEW_SERVER  the deep-review executable
--   DEEP_REVIEW_RESULT  a JSON file this script writes what it saw into
--   DEEP_REVIEW_APPLY   "codeaction" (the quick fix a user picks) or "command" (:DeepReviewApplyFix)
-- Exits with `qall!` on success, `cquit N` when step N fails (the reason is in the result file).
local result = { steps = {} }

local function save()
  local file = assert(io.open(os.getenv("DEEP_REVIEW_RESULT"), "w"))
  file:write(vim.fn.json_encode(result))
  file:close()
end

local function step(n, name, ok, detail)
  table.insert(result.steps, name)
  if not ok then
    result.failed = { step = n, name = name, detail = detail }
    save()
    vim.cmd("cquit " .. n)
  end
end

local function lsp_diagnostic(d)
  local lsp = vim.deepcopy((d.user_data and d.user_data.lsp) or {})
  lsp.range = lsp.range or {
    start = { line = d.lnum, character = d.col },
    ["end"] = { line = d.end_lnum or d.lnum, character = d.end_col or d.col },
  }
  lsp.message = lsp.message or d.message
  lsp.source = lsp.source or d.source
  lsp.severity = lsp.severity or d.severity
  lsp.code = lsp.code or d.code
  return lsp
end

local function ours(bufnr)
  return vim.tbl_filter(function(d)
    return d.source == "deep-review"
  end, vim.diagnostic.get(bufnr))
end

local function apply_quick_fix(client, bufnr, diagnostic)
  vim.api.nvim_win_set_cursor(0, { diagnostic.lnum + 1, diagnostic.col })
  local params = vim.lsp.util.make_range_params(0, client.offset_encoding)
  params.context = { diagnostics = { lsp_diagnostic(diagnostic) }, only = { "quickfix" } }
  local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/codeAction", params, 10000) or {}
  local actions = {}
  for _, response in pairs(responses) do
    vim.list_extend(actions, response.result or {})
  end
  result.actions = vim.tbl_map(function(a)
    return a.title
  end, actions)
  local fix
  for _, action in ipairs(actions) do
    if action.title:match("^Apply fix") then
      fix = action
      break
    end
  end
  step(6, "quick fix offered", fix ~= nil, vim.inspect(result.actions))
  result.applied = fix.title
  step(7, "quick fix enabled", fix.disabled == nil, vim.inspect(fix.disabled))
  if not fix.edit and not fix.command then
    local resolved = client.request_sync("codeAction/resolve", fix, 10000, bufnr)
    fix = resolved and resolved.result or fix
  end
  local before = vim.b[bufnr].changedtick
  if fix.edit then
    vim.lsp.util.apply_workspace_edit(fix.edit, client.offset_encoding)
  end
  if fix.command then
    local command = type(fix.command) == "table" and fix.command or fix
    client.request_sync("workspace/executeCommand", {
      command = command.command,
      arguments = command.arguments,
    }, 10000, bufnr)
  end
  return before
end

local function scenario()
  vim.lsp.set_log_level("debug") -- the lsp.log is attached to a failing test's report
  vim.opt.runtimepath:prepend(os.getenv("DEEP_REVIEW_PLUGIN"))
  local deep_review = require("deep_review")
  -- Record what the plugin echoes ($/progress and status) to check progress reached the user.
  result.echoed = {}
  local echo = vim.api.nvim_echo
  vim.api.nvim_echo = function(chunks, history, opts)
    for _, chunk in ipairs(chunks) do
      if chunk[1]:find("[deep-review]", 1, true) then
        table.insert(result.echoed, chunk[1])
      end
    end
    return echo(chunks, history, opts)
  end
  local native = os.getenv("DEEP_REVIEW_START") == "native"
  deep_review.setup({
    cmd = { os.getenv("DEEP_REVIEW_SERVER"), "serve" },
    settings = { includeUncommitted = true, minimumSeverity = "suggestion" },
    open_report_in_browser = false,
    autostart = not native,
  })
  if native then
    -- The documented Neovim >= 0.11 setup: the commands from setup{}, the client from vim.lsp.
    vim.lsp.config("deep_review", deep_review.native_config())
    vim.lsp.enable("deep_review")
  end
  local bufnr = vim.api.nvim_get_current_buf()

  local ready = vim.wait(30000, function()
    local c = deep_review.client(bufnr)
    return c ~= nil and c.server_capabilities ~= nil and c.server_capabilities.executeCommandProvider ~= nil
  end, 50)
  step(1, "server started and attached", ready, "no initialized deep_review client")
  local client = deep_review.client(bufnr)
  result.root = client.config.root_dir

  vim.cmd("DeepReview")
  if os.getenv("DEEP_REVIEW_CANCEL") == "1" then
    local running = vim.wait(30000, function()
      local status = deep_review.status(bufnr)
      return status ~= nil and status.state == "running"
    end, 50)
    step(10, "review running", running, vim.inspect(deep_review.status(bufnr)))
    vim.cmd("DeepReviewCancel")
    local stopped = vim.wait(15000, function()
      return deep_review.status(bufnr).state ~= "running"
    end, 50)
    result.status = deep_review.status(bufnr)
    step(11, "review stopped", stopped, vim.inspect(result.status))
    result.diagnostics = #ours(bufnr)
    save()
    vim.cmd("qall!")
    return
  end
  local finished = vim.wait(60000, function()
    local status = deep_review.status(bufnr)
    return status ~= nil and (status.state == "done" or status.state == "failed")
  end, 50)
  result.status = deep_review.status(bufnr)
  step(2, "review finished", finished, "no done/failed deepReview/status")
  step(3, "review succeeded", result.status.state == "done", vim.inspect(result.status))

  local shown = vim.wait(10000, function()
    return #ours(bufnr) > 0
  end, 50)
  local diagnostics = ours(bufnr)
  result.diagnostics = vim.tbl_map(function(d)
    return { lnum = d.lnum, message = d.message, id = deep_review.finding_id(d), severity = d.severity }
  end, diagnostics)
  step(4, "diagnostics published", shown, "no deep-review diagnostics")
  local finding = diagnostics[1]
  step(5, "diagnostic carries a finding id", deep_review.finding_id(finding) ~= nil, vim.inspect(finding))

  if os.getenv("DEEP_REVIEW_APPLY") == "dismiss" then
    vim.api.nvim_win_set_cursor(0, { finding.lnum + 1, finding.col })
    vim.cmd("DeepReviewDismiss")
    local gone = vim.wait(10000, function()
      return #ours(bufnr) == 0
    end, 50)
    step(12, "dismissed finding disappears", gone, vim.inspect(result.diagnostics))
    save()
    vim.cmd("qall!")
    return
  end
  local before
  if os.getenv("DEEP_REVIEW_APPLY") == "command" then
    vim.api.nvim_win_set_cursor(0, { finding.lnum + 1, finding.col })
    before = vim.b[bufnr].changedtick
    vim.cmd("DeepReviewApplyFix")
  else
    before = apply_quick_fix(client, bufnr, finding)
  end
  local edited = vim.wait(10000, function()
    return vim.b[bufnr].changedtick ~= before
  end, 50)
  step(8, "fix applied to the buffer", edited, "the buffer did not change")
  vim.cmd("write")
  result.written = true

  if os.getenv("DEEP_REVIEW_REPORT") == "1" then
    local reported = nil
    deep_review.execute("deepReview.generateReport", {}, function(paths)
      reported = paths
    end)
    step(9, "report generated", vim.wait(30000, function()
      return reported ~= nil
    end, 50), "no answer to deepReview.generateReport")
    result.report = reported
  end
  save()
  vim.cmd("qall!")
end

vim.api.nvim_create_autocmd("VimEnter", {
  once = true,
  nested = true,
  callback = function()
    local ok, err = pcall(scenario)
    if not ok then
      result.failed = { step = 99, name = "script error", detail = tostring(err) }
      save()
      vim.cmd("cquit 99")
    end
  end,
})
