print("pismo-bench")
