module example.com/mystore

go 1.25

require github.com/launchdarkly/go-server-sdk/v7 v7.14.6
