// name: schema
// purpose: Constraints and indexes of the signalboost graph (Neo4j 5 syntax), safe to run any number of times.
// example: applied by `signalboost load`; or paste into Neo4j Browser
CREATE CONSTRAINT account_id IF NOT EXISTS FOR (n:Account) REQUIRE n.account_id IS UNIQUE;
CREATE CONSTRAINT tweet_id IF NOT EXISTS FOR (n:Tweet) REQUIRE n.post_id IS UNIQUE;
CREATE CONSTRAINT chan_post_id IF NOT EXISTS FOR (n:ChanPost) REQUIRE n.post_id IS UNIQUE;
CREATE CONSTRAINT chan_thread_id IF NOT EXISTS FOR (n:ChanThread) REQUIRE n.thread_id IS UNIQUE;
CREATE CONSTRAINT url_id IF NOT EXISTS FOR (n:URL) REQUIRE n.url IS UNIQUE;
CREATE CONSTRAINT hashtag_id IF NOT EXISTS FOR (n:Hashtag) REQUIRE n.tag IS UNIQUE;
CREATE CONSTRAINT community_id IF NOT EXISTS FOR (n:Community) REQUIRE n.community_id IS UNIQUE;
CREATE CONSTRAINT amplifier_cluster_id IF NOT EXISTS FOR (n:AmplifierCluster) REQUIRE n.cluster_id IS UNIQUE;
CREATE INDEX account_username IF NOT EXISTS FOR (n:Account) ON (n.username);
CREATE INDEX account_catalyst_score IF NOT EXISTS FOR (n:Account) ON (n.catalyst_score);
CREATE INDEX account_bot_score IF NOT EXISTS FOR (n:Account) ON (n.bot_score);
CREATE INDEX account_created_ts IF NOT EXISTS FOR (n:Account) ON (n.created_ts);
CREATE INDEX tweet_created_at IF NOT EXISTS FOR (n:Tweet) ON (n.created_at);
CREATE INDEX tweet_ts IF NOT EXISTS FOR (n:Tweet) ON (n.ts);
CREATE INDEX chan_post_ts IF NOT EXISTS FOR (n:ChanPost) ON (n.ts);
CREATE INDEX url_domain IF NOT EXISTS FOR (n:URL) ON (n.domain);
