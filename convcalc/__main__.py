from convcalc.launch import main

main()
