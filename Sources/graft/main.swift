import IR
print("graft")
