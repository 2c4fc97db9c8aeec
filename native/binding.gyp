{
  "targets": [
    {
      "target_name": "keepalive_pcap",
      "sources": ["keepalive_pcap.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "defines": ["NAPI_VERSION=8"],
      "libraries": ["-lpcap"]
    }
  ]
}
