package driver

// The Redis integration for Go SDK v6: go-server-sdk-redis-redigo v2.

import ldredis "github.com/launchdarkly/go-server-sdk-redis-redigo/v2"

var redisDataStore = ldredis.DataStore
