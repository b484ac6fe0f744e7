-- Outside a git repository: no server starts, and :DeepReview says why instead of failing.
vim.api.nvim_create_autocmd("VimEnter", {
  once = true,
  nested = true,
  callback = function()
    vim.opt.runtimepath:prepend(os.getenv("DEEP_REVIEW_PLUGIN"))
    local deep_review = require("deep_review")
    local messages = {}
    vim.notify = function(message)
      table.insert(messages, message)
    end
    deep_review.setup({ cmd = { os.getenv("DEEP_REVIEW_SERVER"), "serve" } })
    vim.cmd("DeepReview")
    local result = { client = deep_review.client() ~= nil, messages = messages }
    local file = assert(io.open(os.getenv("DEEP_REVIEW_RESULT"), "w"))
    file:write(vim.fn.json_encode(result))
    file:close()
    vim.cmd("qall!")
  end,
})
