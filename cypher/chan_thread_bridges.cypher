// name: chan_thread_bridges
// purpose: Twitter accounts that carried a 4chan thread's content onto Twitter: tweeted a URL the thread posted first, or linked the thread itself.
// param thread: str | thread id as stored (e.g. 4chan/pol/120000000)
// param limit: int = 50 | how many accounts
// returns: account_id, username, urls, first_tweet_at, lag_s, evidence, bot_score, role
// example: signalboost query chan_thread_bridges --param thread=4chan/pol/120000000
CALL {
  MATCH (th:ChanThread {thread_id: $thread})<-[:IN_THREAD]-(c:ChanPost)
  OPTIONAL MATCH (c)-[:LINKS_TO]->(u:URL)<-[:LINKS_TO]-(t:Tweet)<-[:POSTED]-(a:Account)
  WHERE t.ts >= c.ts
  WITH th, a, u, min(t.ts - c.ts) AS lag, min(t.created_at) AS first_at, "shared-url" AS evidence
  WHERE a IS NOT NULL
  RETURN a.account_id AS account_id, a.username AS username, collect(DISTINCT u.url) AS urls, min(first_at) AS first_tweet_at,
         min(lag) AS lag_s, evidence, a.bot_score AS bot_score, a.role AS role
  UNION
  MATCH (th:ChanThread {thread_id: $thread})<-[:IN_THREAD]-(c:ChanPost)<-[x:CROSSLINK]-(t:Tweet)<-[:POSTED]-(a:Account)
  WHERE x.evidence = "tweet-links-chan"
  RETURN a.account_id AS account_id, a.username AS username, [] AS urls, min(t.created_at) AS first_tweet_at,
         min(x.lag_s) AS lag_s, "tweet-links-chan" AS evidence, a.bot_score AS bot_score, a.role AS role
}
RETURN account_id, username, urls, first_tweet_at, lag_s, evidence, bot_score, role
ORDER BY lag_s ASC, account_id ASC
LIMIT $limit
