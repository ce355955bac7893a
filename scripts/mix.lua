-- The load run's query mix: search-box queries in every script, type-ahead, forum search and
-- Top 100, cycled in order so that every run sends the same requests.
local paths = {
  "/api/search?q=sekai%20no%20chuushin",
  "/api/search?q=%E4%B8%96%E7%95%8C%E3%81%AE%E4%B8%AD%E5%BF%83",
  "/api/search?q=takayuki%20yamada",
  "/api/search?q=%E3%81%9B%E3%81%8B%E3%81%84%E3%81%AE%E3%81%A1%E3%82%85%E3%81%86%E3%81%97%E3%82%93",
  "/api/search?q=yamada%20takayki",
  "/api/search?q=cinematography",
  "/api/search?q=high%20school",
  "/api/suggest?q=seka",
  "/api/suggest?q=%E6%9C%A8%E6%9D%91",
  "/api/top100",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
